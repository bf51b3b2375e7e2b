/*
 * The O(p^2) ring operations of Streamlined NTRU Prime 761 for WebAssembly: the two inversions
 * (R3 and Rq), and the products in Rq and R3. They are the same algorithms as
 * ../sntrup761_ring.ts, line for line: V8 runs that TypeScript in its interpreter for most of the
 * first key pair of a process (60-75 ms of a one-shot client's handshake), while WebAssembly is
 * compiled before it first runs.
 *
 * Also the constant-time sort (../sorting_network.ts) that places a short polynomial's
 * nonzero coefficients. Operands and results pass through one I/O area: A (int16, p), B (int8,
 * p), OUT (int16 or int8, p), WORDS (int32, up to 768). Every call wipes its scratch and the inputs before it returns; the caller reads OUT
 * and wipes it. Secret data never chooses a branch or an index: selects are masks or
 * arithmetic, reductions are a float multiply and a floor, loop bounds are public counters.
 *
 * Built by build.sh (clang --target=wasm32 -msimd128 -O3 -nostdlib); no libc, no imports.
 */
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define NOINLINE __attribute__((noinline))

#define P 761
#define Q 4591
#define RECIP3 (-1530)
/* 768 = 3 * 2^8: the Karatsuba operands halve evenly four times. */
#define N 768
#define CUTOFF 48
#define WORDS 24

static int16_t area_a[N];
static int8_t area_b[N];
static int16_t area_out[N];
static int32_t area_words[N];

EXPORT("a") int16_t *a_area(void) { return area_a; }
EXPORT("b") int8_t *b_area(void) { return area_b; }
EXPORT("out") int16_t *out_area(void) { return area_out; }
EXPORT("words") int32_t *words_area(void) { return area_words; }

/* __builtin_floor is wasm's f64.floor: no libm, and no branch on the value. */
static inline double fq_freeze(double x) {
  return x - (double)Q * __builtin_floor(x * (1.0 / Q) + 0.5);
}
static inline double f3_freeze(double x) { return x - 3.0 * __builtin_floor(x * (1.0 / 3) + 0.5); }
static inline int32_t nonzero_mask(int32_t x) { return (int32_t)((uint32_t)(x | -x)) >> 31; }
static inline int32_t negative_mask(int32_t x) { return x >> 31; }

static void wipe(void *p, uint32_t n) {
  volatile uint8_t *q = (volatile uint8_t *)p;
  for (uint32_t i = 0; i < n; i++) q[i] = 0;
}

static void wipe_inputs(void) {
  wipe(area_a, sizeof area_a);
  wipe(area_b, sizeof area_b);
}

/* ---- products ---------------------------------------------------------------------------- */

static double op_a[N], op_b[N], product[2 * N], scratch[4 * N];

static void karatsuba(double *out, const double *a, const double *b, uint32_t n, double *s) {
  if (n <= CUTOFF) {
    for (uint32_t i = 0; i < 2 * n - 1; i++) out[i] = 0;
    for (uint32_t j = 0; j < n; j++) {
      double bj = b[j];
      for (uint32_t i = 0; i < n; i++) out[j + i] += a[i] * bj;
    }
    return;
  }
  uint32_t h = n >> 1;
  karatsuba(out, a, b, h, s);
  karatsuba(out + n, a + h, b + h, h, s);
  out[n - 1] = 0;
  double *sa = s, *sb = s + h, *mid = s + n;
  for (uint32_t i = 0; i < h; i++) {
    sa[i] = a[i] + a[h + i];
    sb[i] = b[i] + b[h + i];
  }
  karatsuba(mid, sa, sb, h, mid + n);
  for (uint32_t i = 0; i < n - 1; i++) mid[i] -= out[i] + out[n + i];
  for (uint32_t i = 0; i < n - 1; i++) out[h + i] += mid[i];
}

/* A times B, reduced mod x^p - x - 1 (not mod q or 3), into product[0, P). */
static void multiply(void) {
  for (uint32_t i = 0; i < P; i++) {
    op_a[i] = area_a[i];
    op_b[i] = area_b[i];
  }
  karatsuba(product, op_a, op_b, N, scratch);
  for (uint32_t i = 2 * P - 2; i >= P; i--) {
    double c = product[i];
    product[i - P] += c;
    product[i - P + 1] += c;
  }
  wipe(op_a, sizeof op_a);
  wipe(op_b, sizeof op_b);
}

static void wipe_product(void) {
  wipe(product, sizeof product);
  wipe(scratch, sizeof scratch);
  wipe_inputs();
}

/* OUT (int16) = A * B in Rq, B small. */
EXPORT("rq_mult_small") void rq_mult_small(void) {
  multiply();
  for (uint32_t i = 0; i < P; i++) area_out[i] = (int16_t)fq_freeze(product[i]);
  wipe_product();
}

/* OUT (int8) = A * B in R3 (A holds an R3 element). */
EXPORT("r3_mult") void r3_mult(void) {
  multiply();
  int8_t *out = (int8_t *)area_out;
  for (uint32_t i = 0; i < P; i++) out[i] = (int8_t)f3_freeze(product[i]);
  wipe_product();
}

/* ---- 1/a in R3, bitsliced: 32 coefficients a word, planes "nonzero" and "negative" ------- */

static uint32_t f_nz[WORDS], f_neg[WORDS], g_nz[WORDS], g_neg[WORDS];
static uint32_t v_nz[WORDS], v_neg[WORDS], r_nz[WORDS], r_neg[WORDS];

static void set_bitsliced(uint32_t *nz, uint32_t *neg, uint32_t i, int32_t c) {
  uint32_t bit = 1u << (i & 31);
  nz[i >> 5] |= (uint32_t)(-(c & 1)) & bit;
  neg[i >> 5] |= (uint32_t)(c >> 31) & bit;
}

static void wipe_r3(void) {
  wipe(f_nz, sizeof f_nz);
  wipe(f_neg, sizeof f_neg);
  wipe(g_nz, sizeof g_nz);
  wipe(g_neg, sizeof g_neg);
  wipe(v_nz, sizeof v_nz);
  wipe(v_neg, sizeof v_neg);
  wipe(r_nz, sizeof r_nz);
  wipe(r_neg, sizeof r_neg);
}

/* One division step n; returns the new delta. Its own function so that V8 can tier it up
 * between calls (WebAssembly has no on-stack replacement). */
static NOINLINE int32_t r3_step(uint32_t n, int32_t delta) {
  uint32_t swap = (uint32_t)(negative_mask(-delta) & -(int32_t)(g_nz[0] & 1));
  delta ^= (int32_t)swap & (delta ^ -delta);
  delta += 1;
  uint32_t nz = -(f_nz[0] & g_nz[0] & 1);
  uint32_t neg = nz & ~(uint32_t)(-((f_neg[0] ^ g_neg[0]) & 1));
  uint32_t bound = n < P - 1 ? P : 2 * P - 1 - n;
  uint32_t words = (bound >> 5) + 1;
  uint32_t low_nz = 0, low_neg = 0;
  for (uint32_t k = 0; k < words; k++) {
    uint32_t x_nz = f_nz[k], x_neg = f_neg[k], y_nz = g_nz[k], y_neg = g_neg[k];
    f_nz[k] = x_nz ^ (swap & (x_nz ^ y_nz));
    f_neg[k] = x_neg ^ (swap & (x_neg ^ y_neg));
    uint32_t t_nz = x_nz & nz, t_neg = (x_neg ^ neg) & t_nz;
    uint32_t only_one = y_nz ^ t_nz, signs = y_neg ^ t_neg, same = y_nz & t_nz & ~signs;
    uint32_t sum_nz = only_one | same, sum_neg = (only_one & signs) | (same & ~y_neg);
    if (k > 0) {
      g_nz[k - 1] = low_nz | (sum_nz << 31);
      g_neg[k - 1] = low_neg | (sum_neg << 31);
    }
    low_nz = sum_nz >> 1;
    low_neg = sum_neg >> 1;
  }
  g_nz[words - 1] = low_nz;
  g_neg[words - 1] = low_neg;
  uint32_t top = n + 1 < P ? n + 1 : P;
  for (int32_t k = (int32_t)(top >> 5); k >= 0; k--) {
    uint32_t below_nz = k > 0 ? v_nz[k - 1] >> 31 : 0;
    uint32_t below_neg = k > 0 ? v_neg[k - 1] >> 31 : 0;
    uint32_t x_nz = (v_nz[k] << 1) | below_nz, x_neg = (v_neg[k] << 1) | below_neg;
    uint32_t y_nz = r_nz[k], y_neg = r_neg[k];
    v_nz[k] = x_nz ^ (swap & (x_nz ^ y_nz));
    v_neg[k] = x_neg ^ (swap & (x_neg ^ y_neg));
    uint32_t t_nz = x_nz & nz, t_neg = (x_neg ^ neg) & t_nz;
    uint32_t only_one = y_nz ^ t_nz, signs = y_neg ^ t_neg, same = y_nz & t_nz & ~signs;
    r_nz[k] = only_one | same;
    r_neg[k] = (only_one & signs) | (same & ~y_neg);
  }
  v_nz[P >> 5] &= (1u << ((P & 31) + 1)) - 1;
  v_neg[P >> 5] &= (1u << ((P & 31) + 1)) - 1;
  return delta;
}

/* OUT (int8) = 1/B in R3; returns 0 if B is invertible, else -1 (OUT then meaningless). */
EXPORT("r3_recip") int32_t r3_recip(void) {
  wipe_r3();
  set_bitsliced(f_nz, f_neg, 0, 1);
  set_bitsliced(f_nz, f_neg, P - 1, -1);
  set_bitsliced(f_nz, f_neg, P, -1);
  for (uint32_t i = 0; i < P; i++) set_bitsliced(g_nz, g_neg, P - 1 - i, area_b[i]);
  r_nz[0] = 1;
  int32_t delta = 1;
  for (uint32_t n = 0; n < 2 * P - 1; n++) delta = r3_step(n, delta);
  int32_t sign = 1 - 2 * (int32_t)(f_neg[0] & 1);
  int8_t *out = (int8_t *)area_out;
  for (uint32_t i = 0; i < P; i++) {
    uint32_t j = P - 1 - i;
    int32_t nz = (int32_t)((v_nz[j >> 5] >> (j & 31)) & 1);
    int32_t neg = (int32_t)((v_neg[j >> 5] >> (j & 31)) & 1);
    out[i] = (int8_t)(sign * (nz - 2 * neg));
  }
  wipe_r3();
  wipe_inputs();
  return nonzero_mask(delta);
}

/* ---- 1/(3a) in Rq, in floats (exact integers below 2^50), reduced every third step ------- */

static double fq[P + 1], gq[P + 1], vq[P + 1], rq[P + 1];

static double fq_recip(double a) {
  double result = 1, base = a;
  for (uint32_t e = Q - 2; e > 0; e >>= 1) {
    double bit = (double)(e & 1); /* the exponent is public */
    result = fq_freeze(result * (bit * base + (1 - bit)));
    base = fq_freeze(base * base);
  }
  return result;
}

static NOINLINE int32_t rq_step(uint32_t n, int32_t delta) {
  double f0 = fq_freeze(fq[0]), g0 = fq_freeze(gq[0]);
  int32_t swap = negative_mask(-delta) & nonzero_mask((int32_t)g0);
  delta ^= swap & (delta ^ -delta);
  delta += 1;
  double s = (double)(swap & 1);
  fq[0] = f0 + s * (g0 - f0);
  uint32_t bound = n < P - 1 ? P : 2 * P - 1 - n;
  uint32_t top = n + 1 < P ? n + 1 : P;
  if (n % 3 == 2) {
    for (uint32_t i = 0; i < bound; i++) {
      double x = fq[i + 1], y = gq[i + 1];
      fq[i + 1] = fq_freeze(x + s * (y - x));
      double z = f0 * y - g0 * x;
      gq[i] = fq_freeze(z);
    }
    for (uint32_t i = top; i >= 1; i--) {
      double x = vq[i - 1], y = rq[i];
      vq[i] = fq_freeze(x + s * (y - x));
      double z = f0 * y - g0 * x;
      rq[i] = fq_freeze(z);
    }
    vq[0] = fq_freeze(s * rq[0]);
    rq[0] = fq_freeze(f0 * rq[0]);
  } else {
    for (uint32_t i = 0; i < bound; i++) {
      double x = fq[i + 1], y = gq[i + 1];
      fq[i + 1] = x + s * (y - x);
      gq[i] = f0 * y - g0 * x;
    }
    for (uint32_t i = top; i >= 1; i--) {
      double x = vq[i - 1], y = rq[i];
      vq[i] = x + s * (y - x);
      rq[i] = f0 * y - g0 * x;
    }
    vq[0] = s * rq[0];
    rq[0] = f0 * rq[0];
  }
  gq[bound] = 0;
  return delta;
}

/* OUT (int16) = 1/(3B) in Rq, B small; returns 0 if invertible, else -1. */
EXPORT("rq_recip3") int32_t rq_recip3(void) {
  wipe(fq, sizeof fq);
  wipe(vq, sizeof vq);
  wipe(rq, sizeof rq);
  fq[0] = 1;
  fq[P - 1] = fq[P] = -1;
  for (uint32_t i = 0; i < P; i++) gq[P - 1 - i] = area_b[i];
  gq[P] = 0;
  rq[0] = RECIP3;
  int32_t delta = 1;
  for (uint32_t n = 0; n < 2 * P - 1; n++) delta = rq_step(n, delta);
  double scale = fq_recip(fq_freeze(fq[0]));
  for (uint32_t i = 0; i < P; i++) area_out[i] = (int16_t)fq_freeze(scale * vq[P - 1 - i]);
  wipe(fq, sizeof fq);
  wipe(gq, sizeof gq);
  wipe(vq, sizeof vq);
  wipe(rq, sizeof rq);
  wipe_inputs();
  return nonzero_mask(delta);
}

/* ---- constant-time sort of int32 (the network of ../sorting_network.ts, applied directly) -- */

static inline void minmax(int32_t *x, uint32_t ia, uint32_t ib) {
  int32_t a = x[ia], b = x[ib];
  /* mask = -1 when b < a, from the sign of b - a corrected for overflow */
  int32_t ab = a ^ b;
  int32_t c = (int32_t)((uint32_t)b - (uint32_t)a);
  c ^= ab & (c ^ b);
  c = (c >> 31) & ab;
  x[ia] = a ^ c;
  x[ib] = b ^ c;
}

/* item at + p against at + r, for r = q, q/2, ..., 2p */
static void chain(int32_t *x, uint32_t at, uint32_t p, uint32_t q) {
  for (uint32_t r = q; r > p; r >>= 1) minmax(x, at + p, at + r);
}

/* Sorts WORDS[0, n) ascending as signed integers; n <= 768. Which pairs are compared depends
 * only on n. */
EXPORT("sort_int32") void sort_int32(uint32_t n) {
  int32_t *x = area_words;
  if (n < 2 || n > N) return;
  uint32_t top = 1;
  while (top < n - top) top += top;
  for (uint32_t p = top; p >= 1; p >>= 1) {
    uint32_t i = 0;
    for (; i + 2 * p <= n; i += 2 * p) {
      for (uint32_t j = i; j < i + p; j++) minmax(x, j, j + p);
    }
    for (uint32_t j = i; j + p < n; j++) minmax(x, j, j + p);
    i = 0;
    uint32_t j = 0;
    for (uint32_t q = top; q > p; q >>= 1) {
      int finished = 0;
      if (j != i) {
        for (;;) {
          if (j == n - q) {
            finished = 1;
            break;
          }
          chain(x, j, p, q);
          j++;
          if (j == i + p) {
            i += 2 * p;
            break;
          }
        }
      }
      if (finished) continue;
      for (; i + p + q <= n; i += 2 * p) {
        for (j = i; j < i + p; j++) chain(x, j, p, q);
      }
      for (j = i; j + q < n; j++) chain(x, j, p, q);
    }
  }
}
