using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Ncp.Api.Infrastructure.Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ncp.Api.Infrastructure.Auth;

public sealed class KeyRingSettings
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A PFX whose certificate encrypts the keys in the table (<c>ProtectKeysWithCertificate</c>); without it they are stored
    /// as ASP.NET Core writes them, readable by whoever reads the Api's schema or its backups.
    /// </summary>
    public string? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Certificates of earlier rotations: no longer used to encrypt new keys, still to decrypt the old ones.</summary>
    public string[] PreviousCertificateFiles { get; set; } = [];
}

/// <summary>
/// The data-protection key ring (what protects the sign-in cookie, antiforgery tokens and the local issuer's session) kept
/// in the Api's schema, so that every Api instance reads the same keys: an officer's cookie from one instance is good on the
/// other, and a restart or a new machine signs nobody out. A plain table, not EF Core's key store: ASP.NET Core only stores
/// and lists XML elements.
/// </summary>
public static class KeyRing
{
    public const string TableName = "data_protection_keys";

    /// <summary>One name for every instance: keys are isolated per application name, which would otherwise be the install path.</summary>
    public const string ApplicationName = "ncp-api";

    public static Table Table(string schema)
    {
        var table = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, TableName, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("friendly_name").AsPrimaryKey();
        table.AddColumn<string>("xml").NotNull();
        table.AddColumn<DateTimeOffset>("stored_at").NotNull();
        return table;
    }

    public static IServiceCollection AddNcpKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(KeyRingSettings.Section).Get<KeyRingSettings>() ?? new KeyRingSettings();
        var protection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (!string.IsNullOrEmpty(settings.CertificateFile))
        {
            var current = X509CertificateLoader.LoadPkcs12FromFile(settings.CertificateFile, settings.CertificatePassword);
            // Linux has no certificate store the decryptor would look in: every certificate that may have encrypted a key is named.
            protection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate(
                [current, .. settings.PreviousCertificateFiles.Select(f => X509CertificateLoader.LoadPkcs12FromFile(f, settings.CertificatePassword))]);
        }

        services.AddSingleton<PostgresXmlRepository>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(
            options => options.XmlRepository = provider.GetRequiredService<PostgresXmlRepository>()));
        return services;
    }
}

/// <summary>ASP.NET Core's key store on the Api's table; it calls these rarely (start, every key's creation) and synchronously.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource, MartenSettings marten, TimeProvider time) : IXmlRepository
{
    private string Table => $"{marten.Schema}.{KeyRing.TableName}";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand($"select xml from {Table} order by stored_at");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // Each key is written once under its own name ("key-<guid>"); two instances making a key at once both keep theirs.
        using var command = dataSource.CreateCommand(
            $"insert into {Table} (friendly_name, xml, stored_at) values ($1, $2, $3) on conflict (friendly_name) do nothing");
        command.Parameters.AddWithValue(friendlyName);
        command.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        command.Parameters.AddWithValue(time.GetUtcNow());
        command.ExecuteNonQuery();
    }
}
