// swift-tools-version:5.9
// The Swift package of Banata Auth. `BanataAuthFFI` is the Rust library as an XCFramework, built
// by scripts/build-xcframework.sh on macOS; `BanataAuth` is the generated Swift API around it
// plus small idiomatic additions (events as an AsyncStream).
import PackageDescription

let package = Package(
    name: "BanataAuth",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "BanataAuth", targets: ["BanataAuth"]),
    ],
    targets: [
        .binaryTarget(name: "BanataAuthFFI", path: "build/BanataAuthFFI.xcframework"),
        .target(name: "BanataAuth", dependencies: ["BanataAuthFFI"], path: "Sources/BanataAuth"),
        .testTarget(name: "BanataAuthTests", dependencies: ["BanataAuth"], path: "Tests/BanataAuthTests"),
    ]
)
