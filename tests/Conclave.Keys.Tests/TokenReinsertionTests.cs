using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Conclave.Keys.Roles;

namespace Conclave.Keys.Tests;

/// <summary>
/// A token pulled out and put back while the appliance holds it open: operations fail with
/// a clear error while it is out, and work again once it is back, without reopening the
/// token or restarting. SoftHSM2 in this process never sees a token come back, so the
/// token sits behind p11-kit's remoting (Debian's p11-kit server and p11-kit-client.so), the
/// way a smart-card reader presents one: stopping the server pulls the token out, starting
/// it again puts it back, and SoftHSM2 (in the server) reads the same token files again.
/// (p11-kit's remoting carries ECDSA but not AES key wrapping, so signing is what is checked.)
/// </summary>
[Collection(SharedTokenCollection.Name)]
public sealed class TokenReinsertionTests : IDisposable
{
    private const string ClientModule = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";
    private const string Label = "conclave-reader";

    private readonly string _state = Directory.CreateTempSubdirectory("conclave-reader-").FullName;
    private readonly string _socket;
    private Process? _reader;

    public TokenReinsertionTests()
    {
        _socket = Path.Combine(_state, "reader.sock");
        // The token is made by this process's SoftHSM2 (in the shared token directory), then
        // its files are copied to where the reader's SoftHSM2 looks: no PIN on a command line.
        _ = SoftHsmToken.Token;
        string shared = Path.Combine(SoftHsmToken.StateDirectory, "softhsm", "tokens");
        var before = Directory.GetDirectories(shared).ToHashSet();
        DevelopmentToken.Initialize(_state, Label);
        string made = Directory.GetDirectories(shared).Single(d => !before.Contains(d));
        string copy = Path.Combine(_state, "softhsm", "tokens", Path.GetFileName(made));
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(made)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        // p11-kit-client.so reads the server's address from the native environment when it connects.
        if (SetEnvironment("P11_KIT_SERVER_ADDRESS", $"unix:path={_socket}", 1) != 0) throw new InvalidOperationException("setenv failed");
    }

    private string Configuration => DevelopmentToken.ConfigurationPath(_state);

    [Fact]
    public void A_token_put_back_works_again_without_reopening_it()
    {
        InsertToken();
        using var token = Token.Open(new TokenOptions { ModulePath = ClientModule, TokenLabel = Label, ReinitializeModuleToFindToken = true }, () => TokenPin.Read(_state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, [KeyRole.AuditSigning, KeyRole.StorageKek]);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(token.ExportPublicKey(KeyRole.AuditSigning), out _);

        PullTokenOut();
        var failure = Assert.Throws<TokenException>(() => token.SignDer(KeyRole.AuditSigning, [1, 2, 3]));
        Assert.Contains($"'{Label}'", failure.Message);

        InsertToken();
        byte[] data = RandomNumberGenerator.GetBytes(64);
        Assert.True(verifier.VerifyData(data, token.SignDer(KeyRole.AuditSigning, data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            "the same key signs again once the token is back");
    }

    private void InsertToken()
    {
        var start = new ProcessStartInfo("p11-kit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "server", "--foreground", "--name", _socket, "--provider", DevelopmentToken.SoftHsmModulePath, $"pkcs11:token={Label}" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["SOFTHSM2_CONF"] = Configuration;
        _reader = Process.Start(start)!;
        // The server prints its address once the socket listens.
        string? line = _reader.StandardOutput.ReadLine();
        Assert.True(line?.Contains("P11_KIT_SERVER_ADDRESS", StringComparison.Ordinal) == true, $"p11-kit server did not start: {line}");
        _ = _reader.StandardOutput.ReadToEndAsync();
        _ = _reader.StandardError.ReadToEndAsync();
    }

    private void PullTokenOut()
    {
        _reader!.Kill(entireProcessTree: true);
        _reader.WaitForExit();
        _reader.Dispose();
        _reader = null;
        File.Delete(_socket);
    }

    public void Dispose()
    {
        if (_reader is not null) PullTokenOut();
        Directory.Delete(_state, recursive: true);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
