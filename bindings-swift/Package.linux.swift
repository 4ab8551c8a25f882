// swift-tools-version:5.9
// The Linux/CI manifest of the Swift package; Package.swift stays the manifest for Apple platforms.
// scripts/test-swift.sh copies this file as Package.swift into a scratch package (inside a Debian
// chroot with Swift), next to Sources/, Tests/, include/ (the UniFFI header plus a Linux module map
// that links libbanata_auth_ffi), lib/ (the host-built libbanata_auth_ffi.so) and Examples/ (the
// sources of examples/swift, built and run by the script). The XCFramework
// binaryTarget of Package.swift is Apple-only, so here the Rust library is a system library.
import PackageDescription

let libDir = Context.environment["BANATA_FFI_LIB_DIR"] ?? Context.packageDirectory + "/lib"

let package = Package(
    name: "BanataAuth",
    products: [
        .library(name: "BanataAuth", targets: ["BanataAuth"]),
    ],
    targets: [
        .systemLibrary(name: "BanataAuthFFI", path: "include"),
        .target(
            name: "BanataAuth",
            dependencies: ["BanataAuthFFI"],
            path: "Sources/BanataAuth",
            linkerSettings: [.unsafeFlags(["-L\(libDir)"])]
        ),
        .testTarget(name: "BanataAuthTests", dependencies: ["BanataAuth"], path: "Tests/BanataAuthTests"),
        .executableTarget(name: "SignIn", dependencies: ["BanataAuth"], path: "Examples/SignIn"),
        .executableTarget(name: "TwoFactor", dependencies: ["BanataAuth"], path: "Examples/TwoFactor"),
    ]
)
