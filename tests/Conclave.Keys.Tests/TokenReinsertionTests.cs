using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;
using Conclave.Testing;

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
    /// <summary>A token of each test's own: the shared SoftHSM2 keeps every token a test made.</summary>
    private readonly string _label = $"conclave-reader-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
    private readonly string _state = Directory.CreateTempSubdirectory("conclave-reader-").FullName;
    private readonly string _socket;
    private Process? _reader;

    public TokenReinsertionTests()
    {
        _socket = Path.Combine(_state, "reader.sock");
        // The token is made by this process's SoftHSM2 (in the shared token directory), then
        // its files are copied to where the reader's SoftHSM2 looks: no PIN on a command line.
        _ = DevelopmentTokenState.Token;
        string shared = Path.Combine(DevelopmentTokenState.StateDirectory, "softhsm", "tokens");
        var before = Directory.GetDirectories(shared).ToHashSet();
        DevelopmentToken.Initialize(_state, _label);
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
        using var token = OpenThroughReader();
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(token.ExportPublicKey(KeyRole.AuditSigning), out _);

        PullTokenOut();
        var failure = Assert.Throws<TokenException>(() => token.SignDer(KeyRole.AuditSigning, [1, 2, 3]));
        Assert.Contains($"'{_label}'", failure.Message);

        InsertToken();
        byte[] data = RandomNumberGenerator.GetBytes(64);
        Assert.True(verifier.VerifyData(data, token.SignDer(KeyRole.AuditSigning, data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            "the same key signs again once the token is back");
    }

    [Fact]
    public void Eight_threads_meeting_a_token_put_back_all_sign_with_the_same_key()
    {
        InsertToken();
        using var token = OpenThroughReader();
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(token.ExportPublicKey(KeyRole.AuditSigning), out _);
        PullTokenOut();
        InsertToken();

        // Every thread finds the token's old session dead; one reconnects (under the token's
        // lock) while the others wait, then each signs on the new session.
        byte[] data = RandomNumberGenerator.GetBytes(64);
        var signatures = new ConcurrentBag<byte[]>();
        var errors = new ConcurrentBag<Exception>();
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                signatures.Add(token.SignDer(KeyRole.AuditSigning, data));
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        Assert.Equal(8, signatures.Count);
        Assert.All(signatures, signature => Assert.True(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    /// <summary>
    /// Opens the token through p11-kit-client.so, which reads the server's address when it is
    /// initialised: initialised afresh, it reaches this test's reader rather than an earlier one's.
    /// </summary>
    private Token OpenThroughReader()
    {
        Pkcs11Module.Reinitialize(ClientModule);
        var token = Token.Open(new TokenOptions { ModulePath = ClientModule, TokenLabel = _label, ReinitializeModuleToFindToken = true }, () => TokenPin.Read(_state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, [KeyRole.AuditSigning, KeyRole.StorageKek]);
        return token;
    }

    private void InsertToken()
    {
        var start = new ProcessStartInfo("p11-kit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "server", "--foreground", "--name", _socket, "--provider", DevelopmentToken.SoftHsmModulePath, $"pkcs11:token={_label}" })
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
