/* store_int.h — private to src/store: backend constructors. */
#ifndef CW_STORE_STORE_INT_H
#define CW_STORE_STORE_INT_H

#include "store/store.h"

cw_rc cw_store_sqlite_open(const char *path, int flags, cw_store **out, cw_error *err);
cw_rc cw_store_sqlite_open_scratch(const char *live_path, cw_store **out, cw_error *err);
cw_rc cw_store_postgres_open(const char *uri, int flags, cw_store **out, cw_error *err);
/* Deep verify's scratch for a PostgreSQL log: a SQLite scratch over a copy of it. */
cw_rc cw_store_postgres_open_scratch(const char *uri, cw_store **out, cw_error *err);

/* A backend met a storage fault (store.h): counts it, for cw_store_faults. */
void cw_store_note_fault(cw_store_fault f);

#endif
