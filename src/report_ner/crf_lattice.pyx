# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Best paths and span marginals of a linear-chain CRF over many stretches of tokens.

Each stretch is rows ``bounds[i]:bounds[i + 1]`` of one score array; its tag sequence opens
after an O tag and closes before one (row and column 0 of the weights). Scores and weights
are clamped at ``NEVER`` (-inf stands for a forbidden move or tag), and all sums are done in double
precision, in the order a step-by-step numpy version would do them, so ties break alike
(lowest tag id first).

One loop a token over all tag pairs: a stretch is a few characters long and there are a
few tens of tags, where numpy's per-step call overhead cost more than the arithmetic.
"""

from libc.math cimport exp
from libc.stdlib cimport free, malloc

# exp() of it is 0 and sums with it stay finite: no inf - inf, no floating point warnings.
cdef double NEVER = -1e4


cdef inline double clamped(double value) noexcept nogil:
    return value if value > NEVER else NEVER


cdef int longest_stretch(const int[::1] bounds) noexcept nogil:
    cdef int longest = 0
    cdef Py_ssize_t i
    for i in range(bounds.shape[0] - 1):
        if bounds[i + 1] - bounds[i] > longest:
            longest = bounds[i + 1] - bounds[i]
    return longest


def viterbi_paths(const float[:, ::1] scores, const int[::1] bounds, const float[:, ::1] weights, int[::1] out) -> None:
    """Write the best valid tag id of every row of every stretch into ``out``."""
    cdef int n_tags = weights.shape[0]
    cdef int longest = longest_stretch(bounds)
    if longest == 0:
        return
    cdef double* move = <double*>malloc(n_tags * n_tags * sizeof(double))
    cdef double* best = <double*>malloc(n_tags * sizeof(double))
    cdef double* following = <double*>malloc(n_tags * sizeof(double))
    cdef int* back = <int*>malloc(longest * n_tags * sizeof(int))
    cdef double* swap
    cdef double top, value
    cdef int i, t, cur, prev, start, length, arg
    if move == NULL or best == NULL or following == NULL or back == NULL:
        free(move); free(best); free(following); free(back)
        raise MemoryError()
    with nogil:
        for prev in range(n_tags):
            for cur in range(n_tags):
                move[prev * n_tags + cur] = clamped(weights[prev, cur])
        for i in range(bounds.shape[0] - 1):
            start = bounds[i]
            length = bounds[i + 1] - start
            if length <= 0:
                continue
            for cur in range(n_tags):
                best[cur] = clamped(scores[start, cur]) + move[cur]
            for t in range(1, length):
                for cur in range(n_tags):
                    top = best[0] + move[cur]
                    arg = 0
                    for prev in range(1, n_tags):
                        value = best[prev] + move[prev * n_tags + cur]
                        if value > top:
                            top = value
                            arg = prev
                    back[t * n_tags + cur] = arg
                    following[cur] = top + clamped(scores[start + t, cur])
                swap = best
                best = following
                following = swap
            top = best[0] + move[0]
            arg = 0
            for cur in range(1, n_tags):
                value = best[cur] + move[cur * n_tags]
                if value > top:
                    top = value
                    arg = cur
            for t in range(length - 1, -1, -1):
                out[start + t] = arg
                if t > 0:
                    arg = back[t * n_tags + arg]
    free(move); free(best); free(following); free(back)


def span_marginals(
    const float[:, ::1] scores,
    const int[::1] bounds,
    const float[:, ::1] weights,
    const int[:, ::1] spans,
    double[::1] out,
) -> None:
    """The marginal probability of each span (stretch, start, end, label index), start and
    end counted in the stretch's rows and spans sorted by stretch: the mass of every valid
    tag sequence of the stretch that has exactly this span, over the stretch's total.

    Tags are O at 0, then B, I, L, U of each label. Forward-backward is scaled at every
    step instead of done in log space; each row's scores are shifted by their maximum first,
    which multiplies every path of the stretch alike.
    """
    cdef int n_tags = weights.shape[0]
    cdef int longest = longest_stretch(bounds)
    if longest == 0 or spans.shape[0] == 0:
        return
    cdef double* move = <double*>malloc(n_tags * n_tags * sizeof(double))
    cdef double* emit = <double*>malloc(longest * n_tags * sizeof(double))
    cdef double* forward = <double*>malloc(longest * n_tags * sizeof(double))
    cdef double* backward = <double*>malloc(longest * n_tags * sizeof(double))
    cdef double* scale = <double*>malloc(longest * sizeof(double))
    if move == NULL or emit == NULL or forward == NULL or backward == NULL or scale == NULL:
        free(move); free(emit); free(forward); free(backward); free(scale)
        raise MemoryError()
    cdef int n_spans = spans.shape[0]
    cdef int k = 0, stretch, start, length, t, cur, prev, first, last, label, tag, previous, position
    cdef int begin, inside, final, unit
    cdef double top, total, mass, acc
    with nogil:
        for prev in range(n_tags):
            for cur in range(n_tags):
                move[prev * n_tags + cur] = exp(clamped(weights[prev, cur]))
        while k < n_spans:
            stretch = spans[k, 0]
            start = bounds[stretch]
            length = bounds[stretch + 1] - start
            for t in range(length):
                top = clamped(scores[start + t, 0])
                for cur in range(1, n_tags):
                    if clamped(scores[start + t, cur]) > top:
                        top = clamped(scores[start + t, cur])
                for cur in range(n_tags):
                    emit[t * n_tags + cur] = exp(clamped(scores[start + t, cur]) - top)
            acc = 0.0
            for cur in range(n_tags):
                forward[cur] = move[cur] * emit[cur]
                acc += forward[cur]
            scale[0] = acc
            for cur in range(n_tags):
                forward[cur] /= acc
            for t in range(1, length):
                acc = 0.0
                for cur in range(n_tags):
                    top = 0.0
                    for prev in range(n_tags):
                        top += forward[(t - 1) * n_tags + prev] * move[prev * n_tags + cur]
                    forward[t * n_tags + cur] = top * emit[t * n_tags + cur]
                    acc += forward[t * n_tags + cur]
                scale[t] = acc
                for cur in range(n_tags):
                    forward[t * n_tags + cur] /= acc
            for prev in range(n_tags):
                backward[(length - 1) * n_tags + prev] = move[prev * n_tags]
            for t in range(length - 2, -1, -1):
                for prev in range(n_tags):
                    top = 0.0
                    for cur in range(n_tags):
                        top += emit[(t + 1) * n_tags + cur] * backward[(t + 1) * n_tags + cur] * move[prev * n_tags + cur]
                    backward[t * n_tags + prev] = top / scale[t + 1]
            total = 0.0
            for cur in range(n_tags):
                total += forward[(length - 1) * n_tags + cur] * backward[(length - 1) * n_tags + cur]
            while k < n_spans and spans[k, 0] == stretch:
                first = spans[k, 1]
                last = spans[k, 2]
                label = spans[k, 3]
                begin = 1 + 4 * label
                inside = begin + 1
                final = begin + 2
                unit = begin + 3
                if last - first == 1:
                    mass = forward[first * n_tags + unit] * backward[first * n_tags + unit]
                else:
                    mass = forward[first * n_tags + begin] * backward[(last - 1) * n_tags + final]
                    previous = begin
                    for position in range(first + 1, last):
                        tag = final if position == last - 1 else inside
                        mass *= move[previous * n_tags + tag] * emit[position * n_tags + tag] / scale[position]
                        previous = tag
                out[k] = mass / total
                k += 1
    free(move); free(emit); free(forward); free(backward); free(scale)
