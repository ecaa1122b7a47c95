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


def _copy(
    tag: str, rows: str, length: str, source: str, source_stride: str, target: str, target_stride: str, done: str
) -> str:
    """IR of ``target[j·target_stride + start + q] = source[j·source_stride + q]`` for ``j < rows``, ``q < length``,
    then a branch to *done* (labels and registers prefixed with *tag*)."""
    t = tag
    return f"""  br label %{t}head
{t}head:
  %{t}j = phi i64 [0, %{t}entry], [%{t}jnext, %{t}jend]
  %{t}jdone = icmp sge i64 %{t}j, {rows}
  br i1 %{t}jdone, label %{done}, label %{t}jstart
{t}jstart:
  %{t}sbase = mul i64 %{t}j, {source_stride}
  %{t}trow = mul i64 %{t}j, {target_stride}
  %{t}tbase = add i64 %{t}trow, %start
  br label %{t}copy
{t}copy:
  %{t}q = phi i64 [0, %{t}jstart], [%{t}qnext, %{t}copy]
  %{t}si = add i64 %{t}sbase, %{t}q
  %{t}sp = getelementptr double, double* {source}, i64 %{t}si
  %{t}value = load double, double* %{t}sp
  %{t}ti = add i64 %{t}tbase, %{t}q
  %{t}tp = getelementptr double, double* {target}, i64 %{t}ti
  store double %{t}value, double* %{t}tp
  %{t}qnext = add i64 %{t}q, 1
  %{t}qdone = icmp sge i64 %{t}qnext, {length}
  br i1 %{t}qdone, label %{t}jend, label %{t}copy
{t}jend:
  %{t}jnext = add i64 %{t}j, 1
  br label %{t}head
"""


def span_ir() -> str:
    """``define i64 @span(i64* K, i64 first, i64 stop, i64 rows, i64 block, i64* W, double* D, double* O,
    i64 positions, double* S, i64 total, double* KEPT, i64 keep, i64 inputs)``.

    ``stop − first`` must be a multiple of ``block``, and ``block`` at least the kernel's width (8).
    """
    scores = _copy("s", "%positions", "%block", "%O", "%block", "%S", "%total", "kept")
    kept = _copy("k", "%inputs", "%m", "%D", "%block", "%KEPT", "%keep", "copied")
    return f"""define i64 @span(i64* %K, i64 %first, i64 %stop, i64 %rows, i64 %block, i64* %W, double* %D, \
double* %O, i64 %positions, double* %S, i64 %total, double* %KEPT, i64 %keep, i64 %inputs) {{
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
  br i1 %bad, label %fail, label %sentry
fail:
  %at = add i64 %start, 1
  ret i64 %at
sentry:
{scores}kept:
  %below = icmp slt i64 %start, %keep
  br i1 %below, label %kentry, label %copied
kentry:
  %left = sub i64 %keep, %start
  %short = icmp slt i64 %left, %block
  %m = select i1 %short, i64 %left, i64 %block
{kept}copied:
  %nstart = add i64 %start, %block
  br label %head
done:
  ret i64 0
}}
"""
