import History

/// Which decisions a run decides or an export writes. Every field left nil matches all.
public struct DecisionFilter: Sendable, Codable, Equatable {
    public var memberID: String?
    public var claimID: String?
    /// Service dates from ... through (inclusive).
    public var serviceFrom: Day?
    public var serviceTo: Day?
    public var outcome: Outcome?
    public var reason: String?
    /// Decided-at timestamps from ... through (inclusive, ISO text compare; a bare date covers its day).
    public var decidedFrom: String?
    public var decidedTo: String?
    /// Only lines whose decision changed in a decide run after this one (the retro-review list).
    public var changedSinceRun: Int64?

    public init(memberID: String? = nil, claimID: String? = nil, serviceFrom: Day? = nil, serviceTo: Day? = nil,
                outcome: Outcome? = nil, reason: String? = nil, decidedFrom: String? = nil, decidedTo: String? = nil,
                changedSinceRun: Int64? = nil) {
        self.memberID = memberID
        self.claimID = claimID
        self.serviceFrom = serviceFrom
        self.serviceTo = serviceTo
        self.outcome = outcome
        self.reason = reason
        self.decidedFrom = decidedFrom
        self.decidedTo = decidedTo
        self.changedSinceRun = changedSinceRun
    }

    /// The filters that are set, as `name=value` words (for manifests and run records; no member data
    /// unless a member or claim filter was given by the user).
    public var description: String {
        var parts: [String] = []
        if let memberID { parts.append("member=\(memberID)") }
        if let claimID { parts.append("claim=\(claimID)") }
        if let serviceFrom { parts.append("from=\(serviceFrom.iso)") }
        if let serviceTo { parts.append("to=\(serviceTo.iso)") }
        if let outcome { parts.append("outcome=\(outcome.rawValue)") }
        if let reason { parts.append("reason=\(reason)") }
        if let decidedFrom { parts.append("decided-from=\(decidedFrom)") }
        if let decidedTo { parts.append("decided-to=\(decidedTo)") }
        if let changedSinceRun { parts.append("changed-since=\(changedSinceRun)") }
        return parts.isEmpty ? "all" : parts.joined(separator: " ")
    }
}
