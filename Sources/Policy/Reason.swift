/// A decision's outcome.
public enum Outcome: String, Sendable, Codable, CaseIterable {
    case allow = "ALLOW"
    case deny = "DENY"
}

/// The reason codes of POLICY.md, in rule order. Red-flag reasons come from the settings.
public enum Reason {
    public static let primaryDxNotLBP = "PRIMARY_DX_NOT_LBP"
    public static let noCoverage = "NO_COVERAGE"
    public static let planExempt = "PLAN_EXEMPT"
    public static let priorLBPDiagnosis = "PRIOR_LBP_DIAGNOSIS"
    public static let insufficientEnrollment = "INSUFFICIENT_ENROLLMENT"
    public static let imagingWithin28Days = "LBP_IMAGING_WITHIN_28_DAYS"
}

/// The rule names evidence is recorded under.
public enum EvidenceRule {
    public static let primaryDiagnosis = "PRIMARY_DX"
    public static let coverage = "COVERAGE"
    public static let plan = "PLAN"
    public static let indexDate = "INDEX_DATE"
    public static let priorLBP = "PRIOR_LBP"
    public static let enrollment = "ENROLLMENT"
}
