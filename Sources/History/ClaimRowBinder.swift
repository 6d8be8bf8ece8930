import SQLiteDB

/// Where a loader binds one claim row's values, by `ClaimStage.Column` number: the stage's insert
/// statement (`Statement`) or the in-memory claim of a `ClaimStream`. Values left unbound are NULL.
public protocol ClaimRowBinder {
    /// Binds an integer.
    func bind(_ value: Int64, at index: Int32)
    /// Binds an integer.
    func bind(_ value: Int, at index: Int32)
    /// Binds an integer, or NULL.
    func bind(_ value: Int32?, at index: Int32)
    /// Binds text, or NULL.
    func bind(_ value: String?, at index: Int32)
    /// Text the binder keeps a copy of.
    func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32)
    /// Text that stays valid only until the row is finished (run, committed or abandoned).
    func bindTextNoCopy(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32)
}

extension Statement: ClaimRowBinder {}
