/*
 * version: the synthetic version of a generation, written in one place.
 * Template version K on commit sequence N is v1.K.N (Go; npm drops the "v").
 * VERSION_FORMAT takes the two numbers as strings, so that the same text
 * serves C (version_synthetic) and PostgreSQL's format() (the queue sends it
 * as a parameter when it inserts generations).
 */
#ifndef REMOTEGEN_VERSION_H
#define REMOTEGEN_VERSION_H

#define VERSION_FORMAT "v1.%s.%s"

/* "v1.<template_version>.<sequence>", malloc'ed. */
char *version_synthetic(long long template_version, long long sequence);

#endif
