using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Keys.Tests;

/// <summary>TLS served with the token's key through OpenSSL's pkcs11 engine, checked by openssl s_client.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class TokenTlsTests
{
    [Fact]
    public async Task Openssl_s_client_completes_tls_and_sees_the_tokens_public_key()
    {
        var token = DevelopmentTokenState.Token;
        var pin = TokenPin.Read(DevelopmentTokenState.StateDirectory, allowDevelopmentFile: true);
        TokenCertificates.IssueMissing(token, ["localhost"], [IPAddress.Loopback]);
        using var certificate = TokenTlsCertificate.Load(token, pin);
        Assert.Equal(token.ExportPublicKey(KeyRole.TlsIdentity), certificate.PublicKey.ExportSubjectPublicKeyInfo());

        // The TLS certificate chains to the credential CA, both signed on the token.
        using var ca = TokenCertificates.Read(token, KeyRole.CredentialCa)!;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(token.ExportPublicKey(KeyRole.CredentialCa), ca.PublicKey.ExportSubjectPublicKeyInfo());

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            await tls.WriteAsync("conclave\n"u8.ToArray());
            await tls.FlushAsync();
            return tls.SslProtocol;
        });

        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-showcerts" }) start.ArgumentList.Add(argument);
        using var openssl = Process.Start(start)!;
        var stderr = openssl.StandardError.ReadToEndAsync();
        var protocol = await serve.WaitAsync(TimeSpan.FromSeconds(20));
        openssl.StandardInput.Close();
        string output = await openssl.StandardOutput.ReadToEndAsync();
        await openssl.WaitForExitAsync();

        Assert.Contains("conclave", output);
        int begin = output.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        int end = output.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length;
        var served = X509Certificate2.CreateFromPem(output.AsSpan(begin, end - begin));
        Assert.Equal(token.ExportPublicKey(KeyRole.TlsIdentity), served.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, protocol);
        CryptographicOperations.ZeroMemory(pin);
    }
}
