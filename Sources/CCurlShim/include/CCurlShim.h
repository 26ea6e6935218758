// Typed wrappers around libcurl's variadic curl_easy_setopt/curl_easy_getinfo/curl_share_setopt,
// which Swift cannot call directly, plus the few C-side helpers Swift cannot express (a one-time
// global init, and a share handle whose lock callbacks are plain pthread mutexes). One wrapper per
// argument kind; no HTTP policy belongs here (that lives in FlowHTTP).
#ifndef FLOW_CCURL_SHIM_H
#define FLOW_CCURL_SHIM_H
#include <curl/curl.h>

/// CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION share this signature.
typedef size_t (*flow_curl_write_cb)(char *data, size_t size, size_t nmemb, void *userdata);
typedef size_t (*flow_curl_read_cb)(char *buffer, size_t size, size_t nitems, void *userdata);
/// CURLOPT_XFERINFOFUNCTION: return non-zero to abort the transfer (CURLE_ABORTED_BY_CALLBACK).
typedef int (*flow_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                     curl_off_t ultotal, curl_off_t ulnow);
/// CURLOPT_SEEKFUNCTION: curl asks to rewind an upload (e.g. before resending it on a new connection).
typedef int (*flow_curl_seek_cb)(void *userdata, curl_off_t offset, int origin);

CURLcode flow_curl_setopt_long(CURL *h, CURLoption opt, long value);
CURLcode flow_curl_setopt_string(CURL *h, CURLoption opt, const char *value);
CURLcode flow_curl_setopt_pointer(CURL *h, CURLoption opt, void *value);
CURLcode flow_curl_setopt_offset(CURL *h, CURLoption opt, curl_off_t value);
CURLcode flow_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *list);
CURLcode flow_curl_setopt_write_callback(CURL *h, CURLoption opt, flow_curl_write_cb cb);
CURLcode flow_curl_setopt_read_callback(CURL *h, flow_curl_read_cb cb);
CURLcode flow_curl_setopt_xferinfo_callback(CURL *h, flow_curl_xferinfo_cb cb);
CURLcode flow_curl_setopt_seek_callback(CURL *h, flow_curl_seek_cb cb);
/// A *_BLOB option (CAINFO_BLOB, SSLCERT_BLOB, SSLKEY_BLOB...). curl copies the bytes
/// (CURL_BLOB_COPY), so the caller's buffer may be freed right after the call.
CURLcode flow_curl_setopt_blob(CURL *h, CURLoption opt, const void *data, size_t length);

CURLcode flow_curl_getinfo_long(CURL *h, CURLINFO info, long *out);
CURLcode flow_curl_getinfo_offset(CURL *h, CURLINFO info, curl_off_t *out);

/// curl_global_init(CURL_GLOBAL_ALL) exactly once per process, whichever thread gets here first.
CURLcode flow_curl_global_init_once(void);

/// A share handle for the DNS cache and TLS sessions with pthread-mutex lock callbacks, so easy
/// handles on different threads may use it at once. NULL on failure. Free with flow_curl_share_free
/// only after every easy handle using it is cleaned up.
typedef struct flow_curl_share flow_curl_share;
flow_curl_share *flow_curl_share_new(void);
CURLcode flow_curl_setopt_share(CURL *h, flow_curl_share *share);
void flow_curl_share_free(flow_curl_share *share);
#endif
