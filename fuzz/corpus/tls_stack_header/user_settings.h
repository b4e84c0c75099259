/* user_settings.h - wolfSSL build for the V2X unit (debug leftovers) */
#ifndef WOLFSSL_USER_SETTINGS_H
#define WOLFSSL_USER_SETTINGS_H
#define WOLFSSL_TLS13
#define NO_OLD_TLS
#define NO_DES3
//#define NO_RC4
#define HAVE_NULL_CIPHER
#define HAVE_AESGCM
#endif
