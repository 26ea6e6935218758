// Typed wrappers around libcurl's variadic curl_easy_setopt/curl_easy_getinfo, which Swift
// cannot call directly. One wrapper per argument kind; nothing else belongs here.
#ifndef FLOW_CCURL_SHIM_H
#define FLOW_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*flow_curl_write_cb)(char *data, size_t size, size_t nmemb, void *userdata);

CURLcode flow_curl_setopt_long(CURL *h, CURLoption opt, long value);
CURLcode flow_curl_setopt_string(CURL *h, CURLoption opt, const char *value);
CURLcode flow_curl_setopt_pointer(CURL *h, CURLoption opt, void *value);
CURLcode flow_curl_setopt_offset(CURL *h, CURLoption opt, curl_off_t value);
CURLcode flow_curl_setopt_write_callback(CURL *h, CURLoption opt, flow_curl_write_cb cb);
CURLcode flow_curl_getinfo_long(CURL *h, CURLINFO info, long *out);
#endif
