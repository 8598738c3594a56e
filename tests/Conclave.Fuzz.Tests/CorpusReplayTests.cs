namespace Conclave.Fuzz.Tests;

/// <summary>
/// Replays the committed corpora and crashers in-process, without afl-fuzz or
/// instrumentation: every file through every target, so an input one target found keeps
/// guarding the others, and a fixed crash stays fixed.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly string FuzzDirectory = FindFuzzDirectory();

    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    public static TheoryData<string, string> Crashers
    {
        get
        {
            var crashers = new TheoryData<string, string>();
            foreach (string directory in Directory.GetDirectories(Path.Combine(FuzzDirectory, "crashers")))
            {
                foreach (string file in Directory.GetFiles(directory)) crashers.Add(Path.GetFileName(directory), Path.GetFileName(file));
            }
            return crashers;
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_and_crasher_file_keeps_the_targets_invariants(string target)
    {
        var failures = new List<string>();
        var files = Directory.GetFiles(Path.Combine(FuzzDirectory, "corpus"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(FuzzDirectory, "crashers"), "*", SearchOption.AllDirectories));
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(FuzzDirectory, file);
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures.Add($"{relative}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_target_has_a_committed_corpus(string target) =>
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(FuzzDirectory, "corpus", target)));

    [Theory]
    [MemberData(nameof(Crashers))]
    public void A_committed_crasher_no_longer_breaks_the_target_it_was_found_by(string target, string file) =>
        FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(FuzzDirectory, "crashers", target, file)));

    private static string FindFuzzDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("no Appliance.sln above the test's directory"), "fuzz");
    }
}
