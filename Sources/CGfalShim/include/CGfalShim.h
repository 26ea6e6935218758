// A narrow C face of libgfal2 for Swift. gfal's headers are built with _FILE_OFFSET_BITS=64, which
// gives `struct stat`, `dirent` and `flock` definitions that clash with Swift's Glibc module, so
// Swift never imports them: it sees only this header, with plain types. Every call returns 0 or
// gfal's error code (an errno value) and then sets *message to a malloc'd text (free it with
// flow_gfal_free_string). No policy here: retries, names and credentials belong to GfalStorage.
#ifndef FLOW_CGFAL_SHIM_H
#define FLOW_CGFAL_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct flow_gfal flow_gfal;

typedef struct {
    int64_t mtime_sec;
    int64_t mtime_nsec;
    int64_t size;
    int is_directory;
} flow_gfal_info;

typedef struct {
    char *name;
    flow_gfal_info stat;
} flow_gfal_entry;

/// A new context (gfal2_context_new), its log quieted to errors; NULL with *message on failure.
flow_gfal *flow_gfal_new(char **message);
void flow_gfal_free(flow_gfal *gfal);
void flow_gfal_free_string(char *text);

int flow_gfal_set_boolean(flow_gfal *gfal, const char *group, const char *key, int value, char **message);
int flow_gfal_set_string(flow_gfal *gfal, const char *group, const char *key, const char *value, char **message);

int flow_gfal_stat(flow_gfal *gfal, const char *url, flow_gfal_info *out, char **message);
/// The entries of a directory with their stats (gfal2_readdirpp), "." and ".." left out.
/// Free *entries with flow_gfal_free_entries.
int flow_gfal_list(flow_gfal *gfal, const char *url, flow_gfal_entry **entries, size_t *count, char **message);
void flow_gfal_free_entries(flow_gfal_entry *entries, size_t count);
int flow_gfal_mkdir_p(flow_gfal *gfal, const char *url, char **message);
int flow_gfal_unlink(flow_gfal *gfal, const char *url, char **message);
int flow_gfal_rmdir(flow_gfal *gfal, const char *url, char **message);
int flow_gfal_rename(flow_gfal *gfal, const char *from, const char *to, char **message);
/// gfalt_copy_file, replacing the destination and creating its parents; timeout in seconds (0: gfal's).
int flow_gfal_copy(flow_gfal *gfal, const char *source, const char *destination, uint64_t timeout, char **message);
/// The whole file's checksum of `algorithm` ("ADLER32", "MD5", ...) as the protocol reports it,
/// into `out` (a NUL-terminated hex string). ENOSYS/EOPNOTSUPP: the server keeps none.
int flow_gfal_checksum(flow_gfal *gfal, const char *url, const char *algorithm, char *out, size_t size, char **message);

#endif
