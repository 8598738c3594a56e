using System.Diagnostics;
using System.Text.Json;

namespace Conclave.Recording.Tests.Export;

/// <summary>Runs Debian's ffmpeg and ffprobe from PATH (the project setup installs them).</summary>
internal static class Ffmpeg
{
    public sealed record Output(int ExitCode, string StandardOutput, string StandardError)
    {
        public Output EnsureSuccess() => ExitCode == 0 ? this : throw new InvalidOperationException($"exit {ExitCode}: {StandardError}");
    }

    public static Output Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var standardError = process.StandardError.ReadToEndAsync();
        string standardOutput = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Output(process.ExitCode, standardOutput, standardError.Result);
    }

    /// <summary>What ffprobe decodes of each stream: codec, size, sample rate and the frames it read.</summary>
    public static List<ProbedStream> Probe(string file)
    {
        var output = Run("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames,sample_rate,channels", "-of", "json", file).EnsureSuccess();
        using var json = JsonDocument.Parse(output.StandardOutput);
        var streams = new List<ProbedStream>();
        foreach (var stream in json.RootElement.GetProperty("streams").EnumerateArray())
        {
            streams.Add(new ProbedStream(
                stream.GetProperty("codec_name").GetString()!,
                stream.TryGetProperty("width", out var width) ? width.GetInt32() : null,
                stream.TryGetProperty("height", out var height) ? height.GetInt32() : null,
                stream.TryGetProperty("sample_rate", out var rate) ? int.Parse(rate.GetString()!) : null,
                int.Parse(stream.GetProperty("nb_read_frames").GetString()!)));
        }
        return streams;
    }

    /// <summary>The presentation time of each stream's first packet, in seconds.</summary>
    public static Dictionary<string, double> FirstPacketTimes(string file)
    {
        var output = Run("ffprobe", "-v", "error", "-show_entries", "packet=codec_type,pts_time", "-of", "json", file).EnsureSuccess();
        using var json = JsonDocument.Parse(output.StandardOutput);
        var first = new Dictionary<string, double>();
        foreach (var packet in json.RootElement.GetProperty("packets").EnumerateArray())
        {
            string type = packet.GetProperty("codec_type").GetString()!;
            double time = double.Parse(packet.GetProperty("pts_time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            if (!first.ContainsKey(type)) first[type] = time;
        }
        return first;
    }

    /// <summary>Decodes every frame and fails on the first error (<c>-xerror</c>).</summary>
    public static Output DecodeAll(string file) => Run("ffmpeg", "-v", "error", "-xerror", "-i", file, "-f", "null", "-");
}

internal sealed record ProbedStream(string CodecName, int? Width, int? Height, int? SampleRate, int FramesRead);
