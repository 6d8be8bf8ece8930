/// The schema's ordered migrations, compiled into the binary from the `.sql` files beside this one.
///
/// To change the schema, add `mNNNN_what.sql` here, list it in `Package.swift` and below.
/// Never edit a migration that has shipped: databases record which ones they applied.
public enum SchemaMigrations {
    /// Every migration, oldest first, as (name, SQL text).
    public static let all: [(name: String, sql: String)] = [
        ("m0001_history", text(PackageResources.m0001_history_sql)),
        ("m0002_decisions", text(PackageResources.m0002_decisions_sql)),
        ("m0003_member_decisions", text(PackageResources.m0003_member_decisions_sql)),
        ("m0004_imaging_lines_by_day", text(PackageResources.m0004_imaging_lines_by_day_sql)),
        ("m0005_diagnoses_by_period", text(PackageResources.m0005_diagnoses_by_period_sql)),
    ]

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
