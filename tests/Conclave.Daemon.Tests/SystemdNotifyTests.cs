using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// Type=notify readiness (sd_notify(3)) decided by NOTIFY_SOCKET alone: under ProtectProc=invisible
/// conclaved cannot see that its parent is systemd, and here its parent is the test.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task With_NOTIFY_SOCKET_set_conclaved_sends_READY_once_up_and_STOPPING_on_SIGTERM_without_systemd()
    {
        string socketPath = Path.Combine(Directory.CreateTempSubdirectory("conclave-notify-").FullName, "notify");
        using var notifySocket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifySocket.Bind(new UnixDomainSocketEndPoint(socketPath));

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "conclaved.dll"),
            $"--Conclave:StateDirectory={DevelopmentTokenState.NewStateDirectory()}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var messages = new List<string>();
        try
        {
            await ReceiveUntilAsync(notifySocket, "READY=1", messages, timeout.Token);
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(timeout.Token);
            }
            await ReceiveUntilAsync(notifySocket, "STOPPING=1", messages, timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"conclaved sent [{string.Join(", ", messages)}] within 30 s, not READY=1 then STOPPING=1: {await stderr}");
        }
        await stdout;
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(["READY=1", "STOPPING=1"], messages);
    }

    private static async Task ReceiveUntilAsync(Socket socket, string expected, List<string> messages, CancellationToken cancellation)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            string message = Encoding.UTF8.GetString(buffer, 0, length);
            messages.Add(message);
            if (message == expected) return;
        }
    }
}
