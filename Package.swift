// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "lbp-imaging",
    // Linux only (built and tested on Debian with the system libsqlite3 ≥ 3.33.0 and zlib): the
    // code calls Glibc, so no Apple platform is declared.
    products: [
        .executable(name: "lbp", targets: ["LBPCommand"]),
    ],
    dependencies: [
        // The CLI's parsing, help and usage errors.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 for the load ledger, policy versions and export manifests (BoringSSL's
        // assembly, several times faster than a hand-written digest on multi-GB extracts).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // `lbp serve`: the HTTP server (router, middleware, request decoding), HummingbirdTLS for a
        // non-loopback host, HummingbirdTesting for the service tests (test target only).
        // `traits: []` drops the default traits: swift-configuration's ConfigReader initialisers
        // (unused: the CLI parses its own options) and full Foundation in the URL-encoded form coder
        // (unused): one package less to build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // The service's request log (stderr): Hummingbird logs through swift-log; we import it directly.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // NIOThreadPool (SQLite work off the event loop), locks and the bound socket address.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The TLS configuration of `lbp serve --tls-cert/--tls-key` (HummingbirdTLS takes NIOSSL's).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Header names of our own (X-Next-Cursor, Content-Security-Policy): HTTPField.Name.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The read pool is a Service of the server's ServiceGroup (started and stopped with it).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The system libsqlite3 (Debian libsqlite3-dev) and zlib (zlib1g-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The only module that speaks the SQLite C API.
        .target(name: "SQLiteDB", dependencies: ["CSQLite"]),
        // Ordered SQL migrations, compiled into the binary.
        .target(
            name: "Migrations",
            path: "Migrations",
            resources: [
                .embedInCode("m0001_history.sql"),
                .embedInCode("m0002_decisions.sql"),
                .embedInCode("m0003_member_decisions.sql"),
                .embedInCode("m0004_imaging_lines_by_day.sql"),
                .embedInCode("m0005_diagnoses_by_period.sql"),
            ]
        ),
        // Streaming RFC 4180 reader over plain or gzip files, in bounded memory.
        .target(name: "DelimitedText", dependencies: ["CZlib"]),
        // Streaming reader of X12 837P/837I claim files: segments, envelope, claims as Tuva rows.
        .target(name: "X12", dependencies: ["DelimitedText"]),
        // The code lists the default policy uses, shipped as data with their provenance.
        .target(name: "ValueSets", dependencies: ["DelimitedText"], exclude: ["data"]),
        // The member history: schema face, ledger, value-set categories, window queries.
        .target(name: "History", dependencies: [
            "SQLiteDB", "Migrations", "ValueSets", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Streaming extract reader and loaders.
        .target(name: "Ingest", dependencies: [
            "History", "SQLiteDB", "DelimitedText", "X12", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Policy settings, the evaluator, decisions and explanations.
        .target(name: "Policy", dependencies: [
            "History", "SQLiteDB", "ValueSets", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Audit exports, remittance fragments and manifests.
        .target(name: "Reports", dependencies: [
            "Policy", "History", "SQLiteDB", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The adjudication service (`lbp serve`): routes, auth, request log, read pool, the page.
        .target(
            name: "Service",
            dependencies: [
                "History", "Ingest", "Policy", "Reports", "SQLiteDB", "DelimitedText", "X12",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("openapi.json")]
        ),
        // The `lbp` command line: parsing and printing only.
        .executableTarget(name: "LBPCommand", dependencies: [
            "History", "Ingest", "Policy", "Reports", "SQLiteDB", "DelimitedText", "ValueSets", "Service",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // Temporary databases, fixture builders and a run-the-binary helper for tests.
        .target(name: "TestSupport", dependencies: ["History", "Ingest", "Policy", "SQLiteDB"]),

        .testTarget(name: "DelimitedTextTests", dependencies: ["DelimitedText", "TestSupport"]),
        .testTarget(name: "X12Tests", dependencies: ["X12", "DelimitedText", "TestSupport"]),
        .testTarget(name: "SQLiteDBTests", dependencies: ["SQLiteDB", "Migrations", "History", "TestSupport"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "ValueSets", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "History", "SQLiteDB", "TestSupport"]),
        .testTarget(name: "PolicyTests", dependencies: [
            "Policy", "History", "Ingest", "SQLiteDB", "ValueSets", "DelimitedText", "TestSupport",
        ]),
        .testTarget(name: "ReportsTests", dependencies: [
            "Reports", "Policy", "History", "Ingest", "SQLiteDB", "DelimitedText", "TestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "LBPCommandTests", dependencies: ["TestSupport", "History", "SQLiteDB"]),
        .testTarget(name: "ServiceTests", dependencies: [
            "Service", "Reports", "Policy", "History", "Ingest", "SQLiteDB", "DelimitedText", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "ReliabilityTests", dependencies: ["Ingest", "History", "Policy", "Reports", "SQLiteDB", "DelimitedText", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
