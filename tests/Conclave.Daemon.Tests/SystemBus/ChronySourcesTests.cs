using Conclave.Daemon.SystemBus;
using Conclave.Web.Ports;

namespace Conclave.Daemon.Tests.SystemBus;

/// <summary>The time servers the System page lists, read from chrony's configuration as chronyd reads it.</summary>
public sealed class ChronySourcesTests : IDisposable
{
    private readonly DirectoryInfo _chrony = Directory.CreateTempSubdirectory("chrony-");

    [Fact]
    public void Server_and_pool_lines_come_from_chrony_conf_then_each_sources_file_in_name_order_and_comments_do_not_count()
    {
        File.WriteAllText(Path.Combine(_chrony.FullName, "chrony.conf"), "# server 192.0.2.9\nsourcedir /etc/chrony/sources.d\n  pool 2.debian.pool.ntp.org iburst\nmakestep 1 3\n");
        var sources = Directory.CreateDirectory(Path.Combine(_chrony.FullName, "sources.d"));
        File.WriteAllText(Path.Combine(sources.FullName, "conclave.sources"), "! the lab's clock\nserver 192.0.2.123 iburst\n");
        File.WriteAllText(Path.Combine(sources.FullName, "b.sources"), "; nothing\nserver 2001:db8::123\n");
        File.WriteAllText(Path.Combine(sources.FullName, "notes.txt"), "server 192.0.2.200\n");

        var read = new ChronySources(_chrony.FullName).Read();

        Assert.Null(read.Problem);
        Assert.Equal(
            [
                new TimeSource("pool 2.debian.pool.ntp.org iburst", Path.Combine(_chrony.FullName, "chrony.conf")),
                new TimeSource("server 2001:db8::123", Path.Combine(sources.FullName, "b.sources")),
                new TimeSource("server 192.0.2.123 iburst", Path.Combine(sources.FullName, "conclave.sources")),
            ],
            read.Sources);
    }

    [Fact]
    public void The_appliances_own_chrony_conf_names_no_time_server()
    {
        File.Copy(Conclave.Testing.RepositoryFiles.PathOf("firmware-config", "chrony", "chrony.conf"), Path.Combine(_chrony.FullName, "chrony.conf"));

        var read = new ChronySources(_chrony.FullName).Read();

        Assert.Null(read.Problem);
        Assert.Empty(read.Sources);
    }

    [Fact]
    public void Without_chrony_conf_the_problem_says_chrony_is_not_installed()
    {
        var read = new ChronySources(_chrony.FullName).Read();

        Assert.Empty(read.Sources);
        Assert.Equal($"chrony is not installed here: there is no {Path.Combine(_chrony.FullName, "chrony.conf")}", read.Problem);
    }

    public void Dispose() => _chrony.Delete(recursive: true);
}
