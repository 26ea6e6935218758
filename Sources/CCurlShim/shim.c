#include "CCurlShim.h"
#include <pthread.h>
#include <stdlib.h>

CURLcode flow_curl_setopt_long(CURL *h, CURLoption opt, long value) { return curl_easy_setopt(h, opt, value); }
CURLcode flow_curl_setopt_string(CURL *h, CURLoption opt, const char *value) { return curl_easy_setopt(h, opt, value); }
CURLcode flow_curl_setopt_pointer(CURL *h, CURLoption opt, void *value) { return curl_easy_setopt(h, opt, value); }
CURLcode flow_curl_setopt_offset(CURL *h, CURLoption opt, curl_off_t value) { return curl_easy_setopt(h, opt, value); }
CURLcode flow_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *list) { return curl_easy_setopt(h, opt, list); }
CURLcode flow_curl_setopt_write_callback(CURL *h, CURLoption opt, flow_curl_write_cb cb) { return curl_easy_setopt(h, opt, cb); }
CURLcode flow_curl_setopt_read_callback(CURL *h, flow_curl_read_cb cb) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }
CURLcode flow_curl_setopt_xferinfo_callback(CURL *h, flow_curl_xferinfo_cb cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }
CURLcode flow_curl_setopt_seek_callback(CURL *h, flow_curl_seek_cb cb) { return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, cb); }

CURLcode flow_curl_setopt_blob(CURL *h, CURLoption opt, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(h, opt, &blob);
}

CURLcode flow_curl_getinfo_long(CURL *h, CURLINFO info, long *out) { return curl_easy_getinfo(h, info, out); }
CURLcode flow_curl_getinfo_offset(CURL *h, CURLINFO info, curl_off_t *out) { return curl_easy_getinfo(h, info, out); }

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_OK;
static void global_init(void) { global_result = curl_global_init(CURL_GLOBAL_ALL); }

CURLcode flow_curl_global_init_once(void) {
    pthread_once(&global_once, global_init);
    return global_result;
}

/* The share handle plus one mutex per curl_lock_data kind (curl asks to lock by kind). */
struct flow_curl_share {
    CURLSH *handle;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userptr) {
    (void)h; (void)access;
    struct flow_curl_share *s = userptr;
    if (data >= 0 && data < CURL_LOCK_DATA_LAST) pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr) {
    (void)h;
    struct flow_curl_share *s = userptr;
    if (data >= 0 && data < CURL_LOCK_DATA_LAST) pthread_mutex_unlock(&s->locks[data]);
}

void flow_curl_share_free(flow_curl_share *s) {
    if (!s) return;
    if (s->handle) curl_share_cleanup(s->handle);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&s->locks[i]);
    free(s);
}

flow_curl_share *flow_curl_share_new(void) {
    struct flow_curl_share *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&s->locks[i], NULL);
    s->handle = curl_share_init();
    if (!s->handle
        || curl_share_setopt(s->handle, CURLSHOPT_USERDATA, s) != CURLSHE_OK
        || curl_share_setopt(s->handle, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK
        || curl_share_setopt(s->handle, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK
        || curl_share_setopt(s->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK
        || curl_share_setopt(s->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        flow_curl_share_free(s);
        return NULL;
    }
    return s;
}

CURLcode flow_curl_setopt_share(CURL *h, flow_curl_share *s) {
    return curl_easy_setopt(h, CURLOPT_SHARE, s ? s->handle : NULL);
}
