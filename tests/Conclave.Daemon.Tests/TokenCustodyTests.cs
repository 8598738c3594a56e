using System.Net.Security;
using System.Net.Sockets;
using Conclave.Crypto.Audit;
using Conclave.Meetings.Audit;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>The daemon's keys on the token: HTTPS signs with the token's TLS key, and start is audited.</summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class TokenCustodyTests(InProcessDaemon fixture)
{
    [Fact]
    public async Task Https_serves_the_certificate_of_the_tokens_tls_key()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Daemon.HttpsUri.Host, fixture.Daemon.HttpsUri.Port);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        var served = tls.RemoteCertificate as System.Security.Cryptography.X509Certificates.X509Certificate2
            ?? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        Assert.Equal(fixture.Daemon.Certificate.PublicKey.ExportSubjectPublicKeyInfo(), served.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, tls.SslProtocol);
    }

    [Fact]
    public async Task Openssl_s_client_reaches_kestrel_and_sees_the_tokens_public_key()
    {
        var start = new System.Diagnostics.ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{fixture.Daemon.HttpsUri.Port}", "-servername", "localhost" }) start.ArgumentList.Add(argument);
        using var openssl = System.Diagnostics.Process.Start(start)!;
        _ = openssl.StandardError.ReadToEndAsync();
        openssl.StandardInput.Close();
        string output = await openssl.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
        int begin = output.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        int end = output.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length;
        Assert.True(begin >= 0, $"openssl s_client got no certificate:\n{output}");
        using var served = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(output.AsSpan(begin, end - begin));
        Assert.Equal(DevelopmentTokenState.TlsPublicKey, served.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Contains("TLSv1.3", output);
    }

    [Fact]
    public void The_start_the_token_and_the_key_used_are_in_the_audit_log()
    {
        var records = AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log")).ToList();
        Assert.Contains(records, r => r.Actor == AuditActor.Daemon.Text && r.Action == AuditAction.DaemonStart.Name && r.Outcome == AuditOutcome.Ok.Text);
        Assert.Contains(records, r => r.Action == AuditAction.TokenOpen.Name && r.Object.StartsWith("conclave via ", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Action == AuditAction.KeyUse.Name && r.Object.StartsWith("TlsIdentity: HTTPS certificate", StringComparison.Ordinal));
    }
}
