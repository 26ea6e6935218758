// libgfal2's C API (Debian: libgfal2-dev): the context, namespace calls (gfal_file_api.h),
// gfalt_copy_file (gfal_transfer.h), options and the credential map, all through gfal_api.h.
// Only the C shim CGfalShim includes it (see its header for why Swift does not).
#include <gfal_api.h>
