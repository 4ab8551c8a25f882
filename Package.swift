// swift-tools-version:5.9
// The Swift package of Banata Auth, for iOS and macOS apps (and Linux, with the Rust library
// installed). Add it by URL: .package(url: "https://github.com/banata-auth/banata-auth-native", from: "0.1.0").
//
// `BanataAuthFFI` is the Rust core. On Apple platforms it is an XCFramework: the release's zip
// (`ffiRelease`, written by scripts/stamp-swift-release.sh when a version is released), or
// bindings-swift/build/BanataAuthFFI.xcframework once scripts/build-xcframework.sh has built
// one (development). On Linux it is a system library: libbanata_auth_ffi.so on the linker's
// path, or in BANATA_FFI_LIB_DIR (scripts/test-swift.sh builds and tests it that way).
// `BanataAuth` is the generated Swift API plus small idiomatic additions (events as an AsyncStream).
import Foundation
import PackageDescription

/// The release whose XCFramework zip this manifest uses; empty before the first release.
let ffiRelease = (version: "", checksum: "")
let repository = "https://github.com/banata-auth/banata-auth-native"
let localFramework = "bindings-swift/build/BanataAuthFFI.xcframework"

let onLinux: Bool = {
    #if os(Linux)
        return true
    #else
        return false
    #endif
}()

let ffi: Target
if onLinux {
    ffi = .systemLibrary(name: "BanataAuthFFI", path: "bindings-swift/linux")
} else if ffiRelease.version.isEmpty
    || FileManager.default.fileExists(atPath: Context.packageDirectory + "/" + localFramework)
{
    // Without a release, SwiftPM names this path when the framework is missing.
    ffi = .binaryTarget(name: "BanataAuthFFI", path: localFramework)
} else {
    ffi = .binaryTarget(
        name: "BanataAuthFFI",
        url: "\(repository)/releases/download/v\(ffiRelease.version)/BanataAuthFFI.xcframework.zip",
        checksum: ffiRelease.checksum
    )
}

// Only a development or test build on Linux names the library's directory.
let linkerSettings: [LinkerSetting] = Context.environment["BANATA_FFI_LIB_DIR"].map {
    [.unsafeFlags(["-L\($0)"])]
} ?? []

let package = Package(
    name: "BanataAuth",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "BanataAuth", targets: ["BanataAuth"]),
    ],
    targets: [
        ffi,
        .target(
            name: "BanataAuth",
            dependencies: ["BanataAuthFFI"],
            path: "bindings-swift/Sources/BanataAuth",
            linkerSettings: linkerSettings
        ),
        .testTarget(
            name: "BanataAuthTests",
            dependencies: ["BanataAuth"],
            path: "bindings-swift/Tests/BanataAuthTests"
        ),
        // The examples: `swift run SignIn http://127.0.0.1:8787`, `swift run TwoFactor …`.
        .executableTarget(name: "SignIn", dependencies: ["BanataAuth"], path: "examples/swift/SignIn"),
        .executableTarget(name: "TwoFactor", dependencies: ["BanataAuth"], path: "examples/swift/TwoFactor"),
    ]
)
