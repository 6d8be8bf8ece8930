#include <sqlite3.h>

// The oldest SQLite lbp builds and runs on (Sources/SQLiteDB/SQLiteRequirements.swift says why).
#if SQLITE_VERSION_NUMBER < 3033000
#error "lbp needs SQLite 3.33.0 or later: the installed libsqlite3-dev is older"
#endif

// SQLITE_TRANSIENT is a macro over a cast function pointer that Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic; Swift cannot call it directly.
static inline int csqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
