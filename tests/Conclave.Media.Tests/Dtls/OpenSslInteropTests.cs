using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Conclave.Media.Dtls;
using Conclave.Media.Srtp;

namespace Conclave.Media.Tests.Dtls;

/// <summary>
/// The DTLS-SRTP server against an independent client, OpenSSL's s_client: the
/// handshake completes, and both sides export the same SRTP keying material
/// (RFC 5764 §4.2).
/// </summary>
public sealed class OpenSslInteropTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-dtls-").FullName;
    private readonly string _certificatePath;
    private readonly string _keyPath;

    public OpenSslInteropTests()
    {
        _certificatePath = Path.Combine(_directory, "client.pem");
        _keyPath = Path.Combine(_directory, "client.key");
        Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", _keyPath, "-out", _certificatePath, "-days", "1", "-subj", "/CN=openssl-client"]);
    }

    private string ClientFingerprint => DtlsCertificate.FingerprintOf(X509Certificate2.CreateFromPem(File.ReadAllText(_certificatePath)).RawData);

    [Theory]
    [InlineData("SRTP_AEAD_AES_128_GCM", SrtpProfile.AeadAes128Gcm, null)]
    [InlineData("SRTP_AES128_CM_SHA1_80", SrtpProfile.AesCm128HmacSha1_80, null)]
    [InlineData("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", SrtpProfile.AeadAes128Gcm, null)]
    // A 256-byte MTU makes OpenSSL fragment its ClientHello, as Chromium's arrives in two datagrams.
    [InlineData("SRTP_AEAD_AES_128_GCM", SrtpProfile.AeadAes128Gcm, 256)]
    public async Task Openssl_s_client_completes_the_handshake_and_exports_the_same_keys(string offered, SrtpProfile expected, int? mtu)
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        using var server = new DtlsLoopbackServer(certificate, ClientFingerprint);
        int length = SrtpProfiles.KeyingMaterialLength(expected);
        var arguments = new List<string>
        {
            "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{server.Port}", "-use_srtp", offered,
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-cert", _certificatePath, "-key", _keyPath,
        };
        if (mtu is int value) arguments.AddRange(["-mtu", value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        string exported = await RunClientUntilKeyingMaterialAsync(arguments);
        var keys = await server.Keys.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((ushort)expected, keys.ProtectionProfile);
        var ours = keys.ClientMasterKey.Concat(keys.ServerMasterKey).Concat(keys.ClientMasterSalt).Concat(keys.ServerMasterSalt).ToArray();
        Assert.Equal(exported, Convert.ToHexString(ours));
        Assert.Equal(DtlsSessionState.Connected, server.Session!.State);
    }

    [Fact]
    public async Task Lost_flights_in_both_directions_are_retransmitted_until_the_handshake_completes()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        // Lose our HelloVerifyRequest and the first datagram of our ServerHello flight, and
        // the client's first ClientHello-with-cookie: each side's timer must resend (RFC 6347 §4.2.4).
        using var server = new DtlsLoopbackServer(certificate, ClientFingerprint,
            dropSent: index => index is 0 or 1, dropReceived: index => index == 1);
        string exported = await RunClientUntilKeyingMaterialAsync(["s_client", "-dtls1_2", "-connect", $"127.0.0.1:{server.Port}",
            "-use_srtp", "SRTP_AEAD_AES_128_GCM", "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56",
            "-cert", _certificatePath, "-key", _keyPath]);
        var keys = await server.Keys.WaitAsync(TimeSpan.FromSeconds(10));
        var ours = keys.ClientMasterKey.Concat(keys.ServerMasterKey).Concat(keys.ClientMasterSalt).Concat(keys.ServerMasterSalt).ToArray();
        Assert.Equal(exported, Convert.ToHexString(ours));
        Assert.True(server.DatagramsSent > 2, "the server sent its flights again after the losses");
    }

    [Fact]
    public async Task A_client_whose_certificate_does_not_match_the_sdp_fingerprint_is_refused()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        using var other = DtlsCertificate.CreateSelfSigned();
        using var server = new DtlsLoopbackServer(certificate, other.Sha256Fingerprint);
        using var client = StartClient(["s_client", "-dtls1_2", "-connect", $"127.0.0.1:{server.Port}", "-use_srtp", "SRTP_AEAD_AES_128_GCM",
            "-cert", _certificatePath, "-key", _keyPath]);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Keys.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("does not match the a=fingerprint", failure.Message);
        Assert.Equal(DtlsSessionState.Failed, server.Session!.State);
        client.Kill();
    }

    [Fact]
    public async Task A_client_offering_no_srtp_profile_we_support_is_refused()
    {
        using var certificate = DtlsCertificate.CreateSelfSigned();
        using var server = new DtlsLoopbackServer(certificate, ClientFingerprint);
        using var client = StartClient(["s_client", "-dtls1_2", "-connect", $"127.0.0.1:{server.Port}", "-use_srtp", "SRTP_AEAD_AES_256_GCM",
            "-cert", _certificatePath, "-key", _keyPath]);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Keys.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("no SRTP protection profile in common", failure.Message);
        client.Kill();
    }

    private static Process StartClient(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException("openssl did not start: scripts/setup.sh installs it");
    }

    /// <summary>Keeps s_client's stdin open (it would quit at EOF) until it prints the exported material.</summary>
    private static async Task<string> RunClientUntilKeyingMaterialAsync(IEnumerable<string> arguments)
    {
        using var client = StartClient(arguments);
        _ = client.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var transcript = new System.Text.StringBuilder();
        try
        {
            while (await client.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                transcript.AppendLine(line);
                const string marker = "Keying material: ";
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0) return line[(at + marker.Length)..].Trim().ToUpperInvariant();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (!client.HasExited) client.Kill();
        }
        throw new Xunit.Sdk.XunitException($"openssl s_client printed no keying material:\n{transcript}");
    }

    private static void Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.WaitForExit(30_000);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {process.StandardError.ReadToEnd()}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
