/*
 * The floor for SRTP AEAD_AES_128_GCM (RFC 7714) on this machine: OpenSSL's EVP AES-128-GCM
 * sealing and opening a 1,100-byte RTP packet (12-byte header as associated data, 16-byte tag)
 * with a fresh IV per packet on one keyed context, as libsrtp on OpenSSL does. No SRTP
 * bookkeeping, so whatever Conclave spends above this is its own. Prints the minimum and the
 * median over 15 batches of 8,192 packets, in ns per packet.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PACKET = 1100, HEADER = 12, TAG = 16, BATCH = 8192, BATCHES = 15 };

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void seal(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *in, uint8_t *out) {
  int n;
  memcpy(out, in, HEADER);
  EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1);
  EVP_CipherUpdate(ctx, NULL, &n, in, HEADER);
  EVP_CipherUpdate(ctx, out + HEADER, &n, in + HEADER, PACKET - HEADER);
  EVP_CipherFinal_ex(ctx, out + PACKET, &n);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, out + PACKET);
}

static int open_packet(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *in, uint8_t *out) {
  int n;
  EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, (void *)(in + PACKET));
  EVP_CipherUpdate(ctx, NULL, &n, in, HEADER);
  EVP_CipherUpdate(ctx, out + HEADER, &n, in + HEADER, PACKET - HEADER);
  return EVP_CipherFinal_ex(ctx, out + PACKET, &n) == 1;
}

static void report(const char *name, double *ns) {
  qsort(ns, BATCHES, sizeof ns[0], compare);
  printf("%s min %.0f median %.0f\n", name, ns[0], ns[BATCHES / 2]);
}

int main(void) {
  static uint8_t packets[BATCH][PACKET + TAG], plain[PACKET], out[PACKET + TAG];
  uint8_t key[16], iv[12];
  for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < PACKET; i++) plain[i] = (uint8_t)(i * 31);
  EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new(), *dec = EVP_CIPHER_CTX_new();
  EVP_CipherInit_ex(enc, EVP_aes_128_gcm(), NULL, key, NULL, 1);
  EVP_CipherInit_ex(dec, EVP_aes_128_gcm(), NULL, key, NULL, 0);
  double protect[BATCHES], unprotect[BATCHES];
  uint32_t index = 0;
  for (int b = 0; b < BATCHES; b++) {
    uint32_t first = index;
    double start = now_ns();
    for (int i = 0; i < BATCH; i++, index++) {
      memset(iv, 0x5a, sizeof iv);
      memcpy(iv + 8, &index, 4);
      seal(enc, iv, plain, packets[i]);
    }
    protect[b] = (now_ns() - start) / BATCH;
    index = first;
    int authentic = 0;
    start = now_ns();
    for (int i = 0; i < BATCH; i++, index++) {
      memset(iv, 0x5a, sizeof iv);
      memcpy(iv + 8, &index, 4);
      authentic += open_packet(dec, iv, packets[i], out);
    }
    unprotect[b] = (now_ns() - start) / BATCH;
    if (authentic != BATCH) {
      fprintf(stderr, "gcm_floor: %d of %d packets failed to open\n", BATCH - authentic, BATCH);
      return 1;
    }
  }
  report("protect", protect);
  report("unprotect", unprotect);
  EVP_CIPHER_CTX_free(enc);
  EVP_CIPHER_CTX_free(dec);
  return 0;
}
