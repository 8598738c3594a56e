using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>Debian's Chromium, launched with the flags WebRTC needs headless on loopback (docs/architecture.md).</summary>
internal static class ChromiumBrowser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
    ];

    /// <param name="extraFlags">More flags, such as a file for the fake camera to play (<c>--use-file-for-fake-video-capture</c>).</param>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] extraFlags)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: scripts/setup.sh installs Debian's chromium package");
        }
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            Args = [.. Flags, .. extraFlags],
        });
    }
}
