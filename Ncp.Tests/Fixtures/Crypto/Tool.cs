using System.Diagnostics;
using System.Text;

namespace Ncp.Tests.Fixtures.Crypto;

internal sealed record ToolRun(string Command, int ExitCode, byte[] Output, string Errors)
{
    public string OutputText => Encoding.UTF8.GetString(Output);

    public ToolRun OrThrow() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"`{Command}` failed with exit code {ExitCode}:{Environment.NewLine}{Errors}");
}

/// <summary>
/// Runs openssl and gpg as the independent implementations the gateway is checked against. No shell is involved, so no
/// argument needs quoting; a failure names the command and carries stderr, the only place these tools explain themselves.
/// </summary>
internal static class Tool
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static ToolRun Run(
        string tool, IEnumerable<string> arguments, string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string?>>? environment = null, TimeSpan? patience = null)
    {
        var wait = patience ?? Patience;
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Results are read by matching the tools' English messages, whatever the machine's locale.
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANGUAGE"] = "C";
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        var command = $"{tool} {string.Join(' ', start.ArgumentList)}";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"`{command}` could not be started");
        process.StandardInput.Close();
        using var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(wait) || !Task.WaitAll([reading, errors], wait))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within {wait.TotalSeconds} s");
        }

        return new ToolRun(command, process.ExitCode, output.ToArray(), errors.Result);
    }

    // The tools read and write files; each piece of work gets its own folder, gone afterwards.
    public static T InScratch<T>(Func<string, T> work)
    {
        var folder = Directory.CreateTempSubdirectory("ncp-crypto-").FullName;
        try
        {
            return work(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
