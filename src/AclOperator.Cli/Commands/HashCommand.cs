using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl.Passwords;

namespace AclOperator.Cli.Commands;

/// <summary>
/// <c>aclctl hash</c>: the SHA-256 hex of a password read from standard input, the form Redis keeps (<c>#&lt;hash&gt;</c>) and
/// a <c>passwordHashes</c> Secret holds. The password is never echoed or printed.
/// </summary>
internal static class HashCommand
{
    /// <summary>Longest password read (Redis has no limit; this only stops an accidental pipe of a large file).</summary>
    private const int MaxPasswordBytes = 64 * 1024;

    public static Command Create(AclctlConsole console)
    {
        var command = new Command("hash",
            "Read a password from standard input and print its SHA-256 hash as 64 lowercase hex characters (what ACL GETUSER " +
            "shows and a passwordHashes Secret holds). One trailing newline is removed, so `echo secret | aclctl hash` hashes " +
            "'secret'. From a terminal the password is read without echo.");
        command.SetAction(_ => Run(console));
        return command;
    }

    private static int Run(AclctlConsole console)
    {
        byte[] password = console.IsInputRedirected ? ReadStream(console.Input) : ReadTerminal(console);
        try
        {
            if (password.Length > MaxPasswordBytes)
            {
                console.Error.WriteLine($"aclctl hash: the input is longer than {MaxPasswordBytes} bytes; is it a password?");
                return AclctlApp.InputErrors;
            }

            int length = password.Length;
            if (length > 0 && password[length - 1] == (byte)'\n')
            {
                length--;
                if (length > 0 && password[length - 1] == (byte)'\r')
                {
                    length--;
                }
            }

            if (length == 0)
            {
                console.Error.WriteLine("aclctl hash: no password on standard input");
                return AclctlApp.InputErrors;
            }

            console.Out.WriteLine(PasswordHasher.Hash(password.AsSpan(0, length)));
            return 0;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private static byte[] ReadStream(Stream input)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int n;
            while ((n = input.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > MaxPasswordBytes)
                {
                    break;
                }
            }

            return buffer.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(chunk);
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    private static byte[] ReadTerminal(AclctlConsole console)
    {
        console.Error.Write("Password: ");
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            text.Append(key.KeyChar);
        }

        console.Error.WriteLine();
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        text.Clear();
        return bytes;
    }
}
