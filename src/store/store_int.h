/* store_int.h — private to src/store: backend constructors. */
#ifndef CW_STORE_STORE_INT_H
#define CW_STORE_STORE_INT_H

#include "store/store.h"

cw_rc cw_store_sqlite_open(const char *path, int flags, cw_store **out, cw_error *err);
cw_rc cw_store_sqlite_open_scratch(const char *live_path, cw_store **out, cw_error *err);

#endif
