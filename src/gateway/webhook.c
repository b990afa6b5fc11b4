/* Storefront webhook: POSTs a shipment as JSON with libcurl, with a timeout; a failure is
 * reported (status, never the secret) and the notification stays pending for the next cycle. */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>

#include "gateway/gateway.h"

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

int dg_gw_webhook_post(const char *url, const char *secret, long timeout_ms, const char *json,
                       size_t len, dg_error *err)
{
    static bool inited;
    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = true;
    }
    CURL *c = curl_easy_init();
    if (!c)
        return dg_error_set(err, DG_ENOMEM, "webhook: cannot start libcurl");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[600];
    if (secret && *secret) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", secret);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (cc != CURLE_OK)
        return dg_error_set(err, cc == CURLE_OPERATION_TIMEDOUT ? DG_ETIMEOUT : DG_ENET,
                            "webhook: %s", curl_easy_strerror(cc));
    if (status < 200 || status > 299)
        return dg_error_set(err, DG_ENET, "webhook: server answered HTTP %ld", status);
    return 0;
}
