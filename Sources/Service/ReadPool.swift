import History
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle
import SQLiteDB

/// A few read-only connections to the history database, each used by one thread at a time.
///
/// `read` runs its body on the pool's own threads (never on the event loop or the cooperative
/// pool: SQLite calls block), inside one read transaction, so an answer sees a whole load or
/// none of it while `lbp load` writes. There are as many threads as connections, so a running
/// body always finds a free connection; requests beyond that wait in the thread pool's queue.
/// Cancelling the calling task (the time limit) drops a queued read and interrupts a running one.
///
/// It is a `Service`: the application's service group starts it with the server and stops its
/// threads on shutdown.
public final class ReadPool: Service, Sendable {
    private let threads: NIOThreadPool
    private let idle: NIOLockedValueBox<[PooledConnection]>
    /// How many connections (and threads) the pool has.
    public let size: Int

    /// Opens `size` read-only connections to the database at `path`.
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened, is not a database, or its schema
    ///   is not current.
    public init(path: String, size: Int = 4, busyTimeoutMilliseconds: Int32 = 1_000) throws {
        precondition(size > 0, "a read pool needs at least one connection")
        var connections: [PooledConnection] = []
        for _ in 0..<size {
            let db = try HistoryDatabase.open(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            connections.append(PooledConnection(db))
        }
        self.size = size
        idle = NIOLockedValueBox(connections)
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    /// Runs `body` with a connection, inside one read transaction, on the pool's threads.
    ///
    /// - Throws: what `body` throws; `SQLiteError` (`isInterrupted`) or `CancellationError` when
    ///   the calling task was cancelled.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let interruption = Interruption()
        return try await withTaskCancellationHandler {
            try await threads.runIfActive { [idle] in
                // Never nil: at most `size` bodies run at once, one per thread, each holding one connection.
                let pooled = idle.withLockedValue { $0.popLast() }!
                defer { idle.withLockedValue { $0.append(pooled) } }
                let db = pooled.connection
                try interruption.begin(db.interrupter)
                defer {
                    interruption.end()
                    // An interrupt can land on the COMMIT itself: never hand on a connection in a transaction.
                    if db.inTransaction { try? db.execute("ROLLBACK") }
                }
                return try db.readSnapshot { try body(db) }
            }
        } onCancel: {
            interruption.cancel()
        }
    }

    /// Waits for the service group's shutdown, then stops the threads (connections close with the pool).
    public func run() async throws {
        try? await gracefulShutdown()
        try await threads.shutdownGracefully()
    }
}

/// A connection owned by the pool.
///
/// `@unchecked Sendable`: the pool hands it to one thread at a time (taken from and returned to
/// the idle list under its lock), so the non-Sendable connection is never used concurrently.
private final class PooledConnection: @unchecked Sendable {
    let connection: Connection
    init(_ connection: Connection) { self.connection = connection }
}

/// The link between a request's task and the connection running its read, for cancellation.
private final class Interruption: Sendable {
    private struct State {
        var cancelled = false
        var running: Interrupter?
    }
    private let state = NIOLockedValueBox(State())

    /// Records the connection about to run; throws when the request was already cancelled.
    func begin(_ interrupter: Interrupter) throws {
        let cancelled = state.withLockedValue { state in
            if !state.cancelled { state.running = interrupter }
            return state.cancelled
        }
        if cancelled { throw CancellationError() }
    }

    /// The read is over: later cancellations must not touch the connection (it may serve another request).
    func end() {
        state.withLockedValue { $0.running = nil }
    }

    /// Interrupts the running read, if any, and refuses one that has not begun.
    func cancel() {
        state.withLockedValue { state in
            state.cancelled = true
            state.running?.interrupt()
        }
    }
}
