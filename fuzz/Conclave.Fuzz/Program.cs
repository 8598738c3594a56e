using Conclave.Fuzz;
using SharpFuzz;

// Conclave.Fuzz <target>              under afl-fuzz: persistent mode, each input on standard input
// Conclave.Fuzz <target> <file>...    replays files, printing each one that fails and why
// Conclave.Fuzz seeds <directory>     writes the seed corpus of every target under <directory>/<target>/
if (args.Length == 2 && args[0] == "seeds")
{
    Seeds.Write(args[1]);
    return 0;
}
if (args.Length == 0 || !FuzzTargets.All.ContainsKey(args[0]))
{
    Console.Error.WriteLine($"usage: Conclave.Fuzz <target> [file...] | seeds <directory>; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}
string target = args[0];
if (args.Length > 1)
{
    int failed = 0;
    foreach (string file in args[1..])
    {
        try
        {
            FuzzTargets.Run(target, File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.Error.WriteLine($"{file}: {e}");
        }
    }
    return failed == 0 ? 0 : 1;
}
var input = new MemoryStream();
Fuzzer.Run(stream =>
{
    input.SetLength(0);
    stream.CopyTo(input);
    FuzzTargets.Run(target, input.GetBuffer().AsSpan(0, (int)input.Length));
});
return 0;
