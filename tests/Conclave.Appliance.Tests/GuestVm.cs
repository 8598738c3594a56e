using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Conclave.Appliance.Tests;

/// <summary>
/// The appliance image booted under qemu as the boot test needs it: TCG (this kind of machine's
/// /dev/kvm cannot run a stock kernel), direct kernel boot, the disk as a throw-away snapshot
/// (every boot is a first boot), user networking with the HTTPS and media ports forwarded from
/// host loopback, every frame of the guest's network card captured to a pcap file, the
/// console on the first serial port, the probe on the second, and QMP for the power button.
/// qemu is killed when this is disposed, and by a watchdog process if the test host dies first.
/// </summary>
internal sealed class GuestVm : IAsyncDisposable
{
    /// <summary>The guest's network card; its frames in the capture are the ones the appliance sent.</summary>
    public const string GuestMac = "52:54:00:12:34:56";

    private readonly Process _qemu;
    private readonly StreamWriter _qemuLog;
    private readonly Process _watchdog;
    private readonly string _socketDirectory;
    private readonly Stopwatch _sinceStart;

    private GuestVm(Process qemu, StreamWriter qemuLog, Process watchdog, string socketDirectory, string outputDirectory, int httpsPort, int mediaPort, Stopwatch sinceStart)
    {
        _qemu = qemu;
        _qemuLog = qemuLog;
        _watchdog = watchdog;
        _socketDirectory = socketDirectory;
        _sinceStart = sinceStart;
        OutputDirectory = outputDirectory;
        Https = new Uri($"https://127.0.0.1:{httpsPort}/");
        Media = new IPEndPoint(IPAddress.Loopback, mediaPort);
    }

    public Uri Https { get; }
    public IPEndPoint Media { get; }
    public string OutputDirectory { get; }
    public string ConsoleLogPath => Path.Combine(OutputDirectory, "console.log");
    public string CapturePath => Path.Combine(OutputDirectory, "capture.pcap");
    public string QemuLogPath => Path.Combine(OutputDirectory, "qemu.log");
    private string QmpSocket => Path.Combine(_socketDirectory, "qmp.sock");
    public ProbeChannel Probe { get; private set; } = null!;
    public TimeSpan SinceStart => _sinceStart.Elapsed;
    public bool HasExited => _qemu.HasExited;

    public static async Task<GuestVm> StartAsync(ApplianceImage image, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        string sockets = Directory.CreateTempSubdirectory("conclave-vm-").FullName;
        int httpsPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        int mediaPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        string[] arguments =
        [
            "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "1024", "-M", "q35",
            "-nodefaults", "-display", "none", "-no-reboot",
            "-kernel", image.Kernel, "-initrd", image.Initrd, "-append", "root=/dev/vda rw console=ttyS0 panic=-1",
            "-drive", $"file={image.RootImage},if=virtio,format=raw,cache=unsafe,snapshot=on",
            // restrict=off: with restrict=on libslirp drops the guest's UDP replies to forwarded ports.
            "-netdev", $"user,id=n0,restrict=off,hostfwd=tcp:127.0.0.1:{httpsPort}-:443,hostfwd=udp:127.0.0.1:{mediaPort}-:10000",
            "-device", $"virtio-net-pci,netdev=n0,mac={GuestMac}",
            "-object", $"filter-dump,id=capture,netdev=n0,file={Path.Combine(outputDirectory, "capture.pcap")}",
            "-device", "virtio-rng-pci",
            "-serial", $"file:{Path.Combine(outputDirectory, "console.log")}",
            "-chardev", $"socket,id=probe,path={Path.Combine(sockets, "probe.sock")},server=on,wait=off",
            "-serial", "chardev:probe",
            "-qmp", $"unix:{Path.Combine(sockets, "qmp.sock")},server=on,wait=off",
        ];
        var start = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var sinceStart = Stopwatch.StartNew();
        var qemu = Process.Start(start) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        var qemuLog = new StreamWriter(Path.Combine(outputDirectory, "qemu.log")) { AutoFlush = true };
        qemu.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (qemuLog) qemuLog.WriteLine(e.Data); };
        qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (qemuLog) qemuLog.WriteLine(e.Data); };
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        // Kills qemu if this test host goes away without disposing it (killed, crashed).
        var watchdog = Process.Start(new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                "-c", "while kill -0 \"$2\" 2>/dev/null; do kill -0 \"$1\" 2>/dev/null || { kill -KILL \"$2\"; exit; }; sleep 1; done",
                "qemu-watchdog", Environment.ProcessId.ToString(), qemu.Id.ToString(),
            },
        }) ?? throw new InvalidOperationException("the qemu watchdog did not start");
        var vm = new GuestVm(qemu, qemuLog, watchdog, sockets, outputDirectory, httpsPort, mediaPort, sinceStart);
        try
        {
            vm.Probe = await ProbeChannel.ConnectAsync(Path.Combine(sockets, "probe.sock"), Path.Combine(outputDirectory, "probe.log"), () => !qemu.HasExited);
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
        return vm;
    }

    /// <summary>A port nothing listens on now, for qemu to forward from.</summary>
    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Presses the power button (ACPI, QMP system_powerdown) and waits for qemu to exit; returns its exit code.</summary>
    public async Task<int> PowerDownAsync(TimeSpan timeout)
    {
        using (var qmp = await QmpClient.ConnectAsync(QmpSocket, TimeSpan.FromSeconds(10)))
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await qmp.ExecuteAsync("system_powerdown", cancel.Token);
        }
        return await WaitForExitAsync(timeout) ?? throw new TimeoutException(
            $"qemu did not exit within {timeout.TotalSeconds:0} s of system_powerdown; the console ended with:\n{ConsoleTail(30)}");
    }

    /// <summary>qemu's exit code once the guest powered itself off (qemu runs with -no-reboot), or null if it did not within <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _qemu.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return _qemu.ExitCode;
    }

    /// <summary>The last lines the guest printed on its console (kernel and systemd).</summary>
    public string ConsoleTail(int lines)
    {
        try
        {
            using var stream = new FileStream(ConsoleLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return HostCommand.Tail(reader.ReadToEnd(), lines);
        }
        catch (IOException e)
        {
            return $"(no console log: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Probe is not null) await Probe.DisposeAsync();
        if (!_qemu.HasExited) _qemu.Kill();
        // Also waits for the end of its output, so the log is complete before it is closed.
        await _qemu.WaitForExitAsync();
        lock (_qemuLog) _qemuLog.Dispose();
        if (!_watchdog.HasExited) _watchdog.Kill();
        _qemu.Dispose();
        _watchdog.Dispose();
        Directory.Delete(_socketDirectory, recursive: true);
    }
}
