"""A span of blocks in one compiled call: words, draws, kernel and the copies, with no Python between blocks.

:func:`cathode_lca.uncertainty.compiled_run.run_compiled` used to call ``@philox`` and
``@from_words`` from Python for every block of :data:`~cathode_lca.uncertainty.compiled_run.KERNEL_BLOCK`
samples, then copy the block's scores into the result (and its first draws into the kept draws) with
numpy: about 0.15-0.2 µs per sample on one core, some 15 % of a run (NMC811, 193 inputs, measured
2026-12-01). ``@span`` runs the same steps for every full block from ``first`` to ``stop`` in a
loop of its own:

1. ``@philox(K, start, block, rows, W)``: the raw words of every stream for the block;
2. ``@from_words(W, block, D, O)``: the draws and the kernel (``O`` is (position, block): position
   = route × indicator; the positions of routes the kernel does not compute are never written, so
   the caller fills ``O`` with NaN once);
3. ``S[p·total + start + i] = O[p·block + i]``: the block's scores into the result ``S`` (position,
   total samples);
4. ``KEPT[j·keep + start + i] = D[j·block + i]`` for the samples below ``keep``: the first draws of
   every input, for the drivers.

Each block computes exactly what the Python loop computed (the same functions on the same words),
so the scores are the same bits. A block whose checks fail stops the span: ``@span`` returns the
block's first sample + 1 (1-based, 0 when every block passed) with ``D`` still holding that block's
draws; the caller records it, copies its kept draws, and calls ``@span`` again from the next block.

Examples
--------
>>> text = span_ir()
>>> text.splitlines()[0].split("(")[0]
'define i64 @span'
"""

from __future__ import annotations


def span_ir() -> str:
    """``define i64 @span(i64* K, i64 first, i64 stop, i64 rows, i64 block, i64* W, double* D, double* O,
    i64 positions, double* S, i64 total, double* KEPT, i64 keep, i64 inputs)``.

    ``stop − first`` must be a multiple of ``block``, and ``block`` at least the kernel's width (8).
    """
    return """define i64 @span(i64* %K, i64 %first, i64 %stop, i64 %rows, i64 %block, i64* %W, double* %D, \
double* %O, i64 %positions, double* %S, i64 %total, double* %KEPT, i64 %keep, i64 %inputs) {
entry:
  br label %head
head:
  %start = phi i64 [%first, %entry], [%nstart, %copied]
  %more = icmp slt i64 %start, %stop
  br i1 %more, label %body, label %done
body:
  call void @philox(i64* %K, i64 %start, i64 %block, i64 %rows, i64* %W)
  %failed = call i64 @from_words(i64* %W, i64 %block, double* %D, double* %O)
  %bad = icmp ne i64 %failed, 0
  br i1 %bad, label %fail, label %scores
fail:
  %at = add i64 %start, 1
  ret i64 %at
scores:
  br label %phead
phead:
  %p = phi i64 [0, %scores], [%pnext, %pend]
  %pdone = icmp sge i64 %p, %positions
  br i1 %pdone, label %kept, label %pstart
pstart:
  %obase = mul i64 %p, %block
  %srow = mul i64 %p, %total
  %sbase = add i64 %srow, %start
  br label %icopy
icopy:
  %i = phi i64 [0, %pstart], [%inext, %icopy]
  %oi = add i64 %obase, %i
  %opointer = getelementptr double, double* %O, i64 %oi
  %value = load double, double* %opointer
  %si = add i64 %sbase, %i
  %spointer = getelementptr double, double* %S, i64 %si
  store double %value, double* %spointer
  %inext = add i64 %i, 1
  %idone = icmp sge i64 %inext, %block
  br i1 %idone, label %pend, label %icopy
pend:
  %pnext = add i64 %p, 1
  br label %phead
kept:
  %below = icmp slt i64 %start, %keep
  br i1 %below, label %kstart, label %copied
kstart:
  %left = sub i64 %keep, %start
  %short = icmp slt i64 %left, %block
  %m = select i1 %short, i64 %left, i64 %block
  br label %jhead
jhead:
  %j = phi i64 [0, %kstart], [%jnext, %jend]
  %jdone = icmp sge i64 %j, %inputs
  br i1 %jdone, label %copied, label %jstart
jstart:
  %dbase = mul i64 %j, %block
  %krow = mul i64 %j, %keep
  %kbase = add i64 %krow, %start
  br label %qcopy
qcopy:
  %q = phi i64 [0, %jstart], [%qnext, %qcopy]
  %di = add i64 %dbase, %q
  %dpointer = getelementptr double, double* %D, i64 %di
  %draw = load double, double* %dpointer
  %ki = add i64 %kbase, %q
  %kpointer = getelementptr double, double* %KEPT, i64 %ki
  store double %draw, double* %kpointer
  %qnext = add i64 %q, 1
  %qdone = icmp sge i64 %qnext, %m
  br i1 %qdone, label %jend, label %qcopy
jend:
  %jnext = add i64 %j, 1
  br label %jhead
copied:
  %nstart = add i64 %start, %block
  br label %head
done:
  ret i64 0
}
"""
