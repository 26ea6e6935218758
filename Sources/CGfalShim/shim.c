// See include/CGfalShim.h.
// gfal is built with 64-bit file offsets (its pkg-config flags say so; SwiftPM drops -D flags from
// pkg-config, so it is defined here, before any system header).
#define _FILE_OFFSET_BITS 64
#include "CGfalShim.h"
#include <gfal_api.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct flow_gfal { gfal2_context_t context; };

/// Moves a GError into (code, *message); a failure without one is EIO.
static int take(GError **error, char **message) {
    int code = EIO;
    const char *text = "unknown gfal error";
    if (error && *error) {
        if ((*error)->code != 0) code = (*error)->code;
        if ((*error)->message) text = (*error)->message;
    }
    if (message) *message = strdup(text);
    if (error) g_clear_error(error);
    return code;
}

static void fill(const struct stat *st, flow_gfal_info *out) {
    out->mtime_sec = (int64_t)st->st_mtim.tv_sec;
    out->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
    out->size = (int64_t)st->st_size;
    out->is_directory = S_ISDIR(st->st_mode) ? 1 : 0;
}

flow_gfal *flow_gfal_new(char **message) {
    gfal2_log_set_level(G_LOG_LEVEL_ERROR);
    GError *error = NULL;
    // gfal2's gridftp plugin activates Globus when a context is made, and Globus blocks SIGTERM,
    // SIGINT and SIGCHLD in the calling thread; every process that thread starts later would
    // inherit that mask (a job that ignores its cancellation), so the thread's mask is put back.
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    gfal2_context_t context = gfal2_context_new(&error);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (!context) { take(&error, message); return NULL; }
    flow_gfal *gfal = calloc(1, sizeof *gfal);
    gfal->context = context;
    return gfal;
}

void flow_gfal_free(flow_gfal *gfal) {
    if (!gfal) return;
    gfal2_context_free(gfal->context);
    free(gfal);
}

void flow_gfal_free_string(char *text) { free(text); }

int flow_gfal_set_boolean(flow_gfal *gfal, const char *group, const char *key, int value, char **message) {
    GError *error = NULL;
    return gfal2_set_opt_boolean(gfal->context, group, key, value ? TRUE : FALSE, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_set_string(flow_gfal *gfal, const char *group, const char *key, const char *value, char **message) {
    GError *error = NULL;
    return gfal2_set_opt_string(gfal->context, group, key, value, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_stat(flow_gfal *gfal, const char *url, flow_gfal_info *out, char **message) {
    GError *error = NULL;
    struct stat st;
    memset(&st, 0, sizeof st);
    if (gfal2_stat(gfal->context, url, &st, &error) != 0) return take(&error, message);
    fill(&st, out);
    return 0;
}

int flow_gfal_list(flow_gfal *gfal, const char *url, flow_gfal_entry **entries, size_t *count, char **message) {
    GError *error = NULL;
    *entries = NULL;
    *count = 0;
    DIR *dir = gfal2_opendir(gfal->context, url, &error);
    if (!dir) return take(&error, message);
    size_t capacity = 0;
    for (;;) {
        struct stat st;
        memset(&st, 0, sizeof st);
        struct dirent *entry = gfal2_readdirpp(gfal->context, dir, &st, &error);
        if (!entry) break;
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            *entries = realloc(*entries, capacity * sizeof **entries);
        }
        (*entries)[*count].name = strdup(entry->d_name);
        fill(&st, &(*entries)[*count].stat);
        (*count)++;
    }
    int rc = 0;
    if (error) {
        rc = take(&error, message);
        flow_gfal_free_entries(*entries, *count);
        *entries = NULL;
        *count = 0;
    }
    gfal2_closedir(gfal->context, dir, NULL);
    return rc;
}

void flow_gfal_free_entries(flow_gfal_entry *entries, size_t count) {
    for (size_t i = 0; i < count; i++) free(entries[i].name);
    free(entries);
}

int flow_gfal_mkdir_p(flow_gfal *gfal, const char *url, char **message) {
    GError *error = NULL;
    return gfal2_mkdir_rec(gfal->context, url, 0755, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_unlink(flow_gfal *gfal, const char *url, char **message) {
    GError *error = NULL;
    return gfal2_unlink(gfal->context, url, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_rmdir(flow_gfal *gfal, const char *url, char **message) {
    GError *error = NULL;
    return gfal2_rmdir(gfal->context, url, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_rename(flow_gfal *gfal, const char *from, const char *to, char **message) {
    GError *error = NULL;
    return gfal2_rename(gfal->context, from, to, &error) == 0 ? 0 : take(&error, message);
}

int flow_gfal_copy(flow_gfal *gfal, const char *source, const char *destination, uint64_t timeout, char **message) {
    GError *error = NULL;
    gfalt_params_t params = gfalt_params_handle_new(&error);
    if (!params) return take(&error, message);
    gfalt_set_replace_existing_file(params, TRUE, NULL);
    gfalt_set_create_parent_dir(params, TRUE, NULL);
    if (timeout > 0) gfalt_set_timeout(params, (guint64)timeout, NULL);
    int rc = gfalt_copy_file(gfal->context, params, source, destination, &error) == 0 ? 0 : take(&error, message);
    gfalt_params_handle_delete(params, NULL);
    return rc;
}

int flow_gfal_checksum(flow_gfal *gfal, const char *url, const char *algorithm, char *out, size_t size, char **message) {
    GError *error = NULL;
    return gfal2_checksum(gfal->context, url, algorithm, 0, 0, out, size, &error) == 0 ? 0 : take(&error, message);
}
