import SQLiteDB

/// The connection settings a load's write transaction runs under.
public enum LoadSettings {
    /// Runs `body` (the load's transaction) with a large page cache and foreign keys unchecked,
    /// then checks them again.
    ///
    /// - A large page cache speeds the stage and the b-tree inserts (measured: 20% on monthly
    ///   files); other commands keep SQLite's small default, which suits random reads.
    /// - Foreign keys: the stores write a claim with its lines and diagnoses in the same
    ///   transaction (`ClaimStream` may insert a batch of lines before their claims' batch) and
    ///   remove a claim's dependants explicitly (`ClaimStore`), so the checks would only cost a
    ///   parent lookup for every stored row. `PRAGMA foreign_keys` cannot change inside a transaction,
    ///   hence around it.
    public static func during<T>(_ db: Connection, _ body: () throws -> T) throws -> T {
        try db.execute("PRAGMA cache_size = -65536; PRAGMA temp.cache_size = -65536; PRAGMA foreign_keys = OFF")
        defer { try? db.execute("PRAGMA foreign_keys = ON") }
        return try body()
    }
}
