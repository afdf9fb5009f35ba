using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StationEdge.Cli.Commands.Records;
using StationEdge.KeeperSite;
using StationEdge.KeeperSite.Accounts;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>keeper add --name NAME [--role keeper|admin]</c>: a keeper account for the keeper site (the first is an
/// administrator), the password read from stdin (typed twice, unseen, on a terminal; one line from a pipe).
/// <c>keeper list</c>. <c>keeper cert [--host H]</c>: a self-signed certificate for the site's https address.
/// </summary>
internal static class KeeperCommand
{
    private const string Name = "keeper";

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var action = argv.Count > 0 ? argv[0] : "";
        var rest = argv.Skip(1).ToList();
        return action switch
        {
            "add" => Task.FromResult(Add(CliArgs.Parse(Name, rest, [StoreCli.Data, "--name", "--role"]), stdin, stdout, stderr)),
            "list" => Task.FromResult(List(CliArgs.Parse(Name, rest, [StoreCli.Data]), stdout)),
            "cert" => Task.FromResult(Certificate(CliArgs.Parse(Name, rest, [StoreCli.Data], listFlags: ["--host"]), stdout)),
            _ => throw CliError.BadInput("say what to do: keeper add --name NAME, keeper list, or keeper cert"),
        };
    }

    private static int Add(CliArgs args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var name = args.Value("--name") ?? throw CliError.BadInput("--name NAME is required");
        var role = args.Value("--role") switch
        {
            null or "keeper" => KeeperRole.Keeper,
            "admin" => KeeperRole.Admin,
            var other => throw CliError.BadInput($"--role must be keeper or admin (was '{other}')"),
        };
        var accounts = new KeeperAccounts(DataFolderOf(args));
        Checked(() => KeeperAccounts.CheckName(name));
        string password;
        if (ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected)
        {
            password = Typed("password for " + name + ": ", stderr);
            if (Typed("again: ", stderr) != password)
            {
                throw CliError.BadInput("the two passwords differ");
            }
        }
        else
        {
            password = stdin.ReadLine() ?? throw CliError.BadInput("no password on stdin (one line)");
        }

        var account = Checked(() => accounts.Add(name, password, role));
        stdout.WriteLine($"keeper {account.Name} added ({account.Role.ToString().ToLowerInvariant()}) in {accounts.Path}");
        return 0;
    }

    private static int List(CliArgs args, TextWriter stdout)
    {
        var accounts = Checked(() => new KeeperAccounts(DataFolderOf(args)).List());
        if (args.Json)
        {
            JsonOutput.Write(stdout, accounts.Select(a => new { name = a.Name, role = a.Role, created_at = a.CreatedAt }));
            return 0;
        }

        foreach (var a in accounts)
        {
            stdout.WriteLine($"{a.Name}\t{a.Role.ToString().ToLowerInvariant()}\t{a.CreatedAt:yyyy-MM-dd}");
        }

        if (accounts.Count == 0)
        {
            stdout.WriteLine("no keepers yet: station-edge keeper add --name NAME");
        }

        return 0;
    }

    /// <summary>ECDSA P-256, valid two years, for localhost, this machine's addresses and each --host; written 0600 as PKCS#12.</summary>
    private static int Certificate(CliArgs args, TextWriter stdout)
    {
        var data = DataFolderOf(args);
        var path = Path.Combine(data, KeeperSiteOptions.CertificateFileName);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Dns.GetHostName());
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .Where(a => !a.IsIPv6LinkLocal).Append(IPAddress.Loopback).Distinct().ToList();
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        foreach (var host in args.List("--host"))
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Dns.GetHostName()}, O=StationEdge keeper site", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
        // A new file (0600) renamed over the old: overwriting in place would keep an old file's wider mode.
        var fresh = $"{path}.{Environment.ProcessId}.new";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var file = new FileStream(fresh, options))
            {
                file.Write(certificate.Export(X509ContentType.Pfx));
            }

            File.Move(fresh, path, overwrite: true);
        }
        finally
        {
            File.Delete(fresh);
        }

        stdout.WriteLine($"certificate {path} for localhost, {Dns.GetHostName()}, {string.Join(", ", addresses)}{string.Concat(args.List("--host").Select(h => ", " + h))}");
        stdout.WriteLine($"sha256 fingerprint {certificate.GetCertHashString(HashAlgorithmName.SHA256)}: compare it on the phone when it asks to trust the site");
        return 0;
    }

    /// <summary>The data folder (--data, $STATIONEDGE_DATA, the default), which must exist; the database need not yet.</summary>
    private static string DataFolderOf(CliArgs args)
    {
        var data = StationEdge.Store.DataFolder.Resolve(args.Value(StoreCli.Data));
        if (!Directory.Exists(data))
        {
            throw CliError.BadInput($"the data folder {data} does not exist: point --data or ${StationEdge.Store.DataFolder.EnvironmentVariable} at the station's data folder");
        }

        try
        {
            StationEdge.Store.DataFolder.CheckPrivate(data);
        }
        catch (StationEdge.Store.StoreException e)
        {
            throw CliError.BadInput(e.Message);
        }

        return data;
    }

    private static string Typed(string prompt, TextWriter stderr)
    {
        stderr.Write(prompt);
        var typed = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        stderr.WriteLine();
        return typed.ToString();
    }

    private static T Checked<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (KeeperAccountException e)
        {
            throw CliError.BadInput(e.Message);
        }
    }

    private static void Checked(Action action) => Checked(() =>
    {
        action();
        return 0;
    });
}
