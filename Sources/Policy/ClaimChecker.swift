import History
import SQLiteDB

/// What the policy says about each line of a claim that is not stored: the pre-payment check.
public struct ClaimCheck: Sendable {
    public let claimID: String
    /// A void (frequency 8) removes the stored version; its lines get no decision.
    public let isVoid: Bool
    /// One entry per line of the claim, in the claim's order.
    public let lines: [LineCheck]
}

/// One line of a checked claim.
public struct LineCheck: Sendable {
    public let lineNumber: Int
    /// Whether the line's procedure (or revenue) code is in one of the policy's imaging value sets.
    public let isImaging: Bool
    /// The decision, for imaging lines of a claim that is not a void.
    public let decision: Decision?
}

/// Checks a candidate claim against the stored member history: the claim is applied to its
/// member's history as a load would apply it (the same claim id replaces the stored version,
/// frequency 8 voids it, its diagnoses count at its start date), each imaging line is decided by
/// the same `Evaluator` as `lbp decide`, and nothing is written.
///
/// Run it inside one read transaction (`Connection.readSnapshot`), so the answer sees whole loads.
public struct ClaimChecker {
    private let db: Connection
    public let evaluator: Evaluator

    public init(db: Connection, policy: ResolvedPolicy) {
        self.db = db
        self.evaluator = Evaluator(policy: policy)
    }

    public func check(_ claim: CandidateClaim) throws -> ClaimCheck {
        let reader = HistoryReader(db)
        let settings = evaluator.policy.settings
        let imagingSets = Set(settings.imagingValueSets)
        var imaging: [ImagingLine] = []
        var isImaging: [Bool] = []
        for line in claim.lines {
            var sets = try line.hcpcsCode.map { try reader.categories(ofCode: $0, systems: ["CPT", "HCPCS"]) } ?? []
            if let revenue = line.revenueCenterCode { sets += try reader.categories(ofCode: revenue, systems: ["UBREV"]) }
            let imagingLine = !imagingSets.isDisjoint(with: sets)
            isImaging.append(imagingLine)
            if imagingLine && !claim.isVoid { imaging.append(Self.imagingLine(line, of: claim)) }
        }
        guard !imaging.isEmpty else {
            return ClaimCheck(claimID: claim.claimID, isVoid: claim.isVoid, lines: zip(claim.lines, isImaging).map {
                LineCheck(lineNumber: $0.lineNumber, isImaging: $1, decision: nil)
            })
        }
        let days = imaging.map(\.serviceDay)
        let stored = try reader.memberHistory(claim.memberID, windows: evaluator.windows(serviceDays: days.min()!, days.max()!))
        let history = stored.applying(claimID: claim.claimID, events: try events(of: claim, reader: reader))
        var decisions = imaging.makeIterator()
        return ClaimCheck(claimID: claim.claimID, isVoid: false, lines: zip(claim.lines, isImaging).map { line, imagingLine in
            LineCheck(lineNumber: line.lineNumber, isImaging: imagingLine,
                      decision: imagingLine ? evaluator.decide(decisions.next()!, history: history) : nil)
        })
    }

    /// The claim's dated diagnosis events by value set, as a load derives them (ICD-10-CM only).
    private func events(of claim: CandidateClaim, reader: HistoryReader) throws -> [(category: String, event: DxEventRef)] {
        guard claim.diagnosisCodeType == "icd-10-cm" else { return [] }
        var events: [(category: String, event: DxEventRef)] = []
        for (offset, code) in claim.diagnoses.enumerated() where !code.isEmpty {
            for category in try reader.categories(ofCode: code, systems: ["ICD10CM"]) {
                events.append((category, DxEventRef(day: claim.startDay, claimID: claim.claimID, position: offset + 1,
                                                    code: code, loadID: nil)))
            }
        }
        return events
    }

    private static func imagingLine(_ line: CandidateLine, of claim: CandidateClaim) -> ImagingLine {
        ImagingLine(
            claimID: claim.claimID, lineNumber: line.lineNumber, memberID: claim.memberID,
            serviceDay: line.lineStartDay ?? claim.startDay, hcpcsCode: line.hcpcsCode ?? "", claimType: claim.claimType,
            claimStartDay: claim.startDay, primaryDiagnosis: claim.diagnoses.first.flatMap { $0.isEmpty ? nil : $0 },
            loadID: nil, modifiers: line.modifiers, revenueCode: line.revenueCenterCode ?? "",
            chargeAmount: line.chargeAmount ?? "")
    }
}
