/*
 * jitter: random spreads for retry delays and unique tokens, safe to call
 * from any thread at once (each thread keeps its own generator state, seeded
 * from getrandom(2)); drand48 and friends share one hidden state between
 * threads. Not for secrets.
 */
#ifndef REMOTEGEN_JITTER_H
#define REMOTEGEN_JITTER_H

/* A delay spread uniformly over [d/2, 3d/2) (0 for d <= 0). */
long long jitter_spread(long long d);

/* 63 random bits (non-negative), e.g. for a lease owner token. */
long long jitter_random(void);

#endif
