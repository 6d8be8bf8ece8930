import CSQLite

/// Stops the statement a connection is running, from any thread (`sqlite3_interrupt`).
///
/// The running statement fails with `SQLITE_INTERRUPT` (`SQLiteError.isInterrupted`); the
/// connection stays usable. A server uses it to end a request that ran past its time limit.
///
/// `@unchecked Sendable`: it holds only the connection's handle, and `sqlite3_interrupt` is the
/// one SQLite call documented as safe from another thread. The caller must keep the connection
/// open while an interrupter of it may be called (the read pool owns its connections for its
/// whole life and clears the interrupter before a connection is reused).
public struct Interrupter: @unchecked Sendable {
    private let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    /// Interrupts whatever the connection is running now (a no-op when it runs nothing).
    public func interrupt() { sqlite3_interrupt(handle) }
}

extension Connection {
    /// An interrupter of this connection, to hand to another thread.
    public var interrupter: Interrupter { Interrupter(handle: handle) }
}

extension SQLiteError {
    /// The statement was stopped by `Interrupter.interrupt()`.
    public var isInterrupted: Bool { code == SQLITE_INTERRUPT }
}
