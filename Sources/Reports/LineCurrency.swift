import History
import Policy

/// Whether a stored decision still speaks for the claim line as it is now: a decision shows the
/// line version it was made on, and says so when the claim changed after it.
public enum LineCurrency {
    /// A sentence when `current` (the line as stored now, nil when it is gone or no longer
    /// imaging) is not the version `decision` was made on; nil when it is.
    public static func note(_ decision: Decision, current: ImagingLine?) -> String? {
        guard let current else {
            return "the line is no longer an imaging line in the history (voided, replaced away, or recoded) since this decision; the next lbp decide withdraws it"
        }
        if current.loadID != decision.line.loadID || current.serviceDay != decision.line.serviceDay
            || current.hcpcsCode != decision.line.hcpcsCode || current.chargeAmount != decision.line.chargeAmount {
            return "the claim was loaded again since this decision; it shows the version decided, and the next lbp decide decides the current one"
        }
        return nil
    }
}
