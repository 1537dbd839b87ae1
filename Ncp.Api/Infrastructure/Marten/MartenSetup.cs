using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Listing;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Api.Partners;
using Ncp.Api.Partners.Seeding;
using Npgsql;

namespace Ncp.Api.Infrastructure.Marten;

public sealed class MartenSettings
{
    public const string Section = "Marten";

    /// <summary>PostgreSQL schema the Api owns: event store, read models, register counters.</summary>
    public string Schema { get; set; } = "api";

    /// <summary>Off in production: the schema is applied by <c>Ncp.Api migrate</c>, not by a running server.</summary>
    public bool AutoCreateSchema { get; set; }
}

public static class MartenSetup
{
    public static IServiceCollection AddNcpMarten(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(MartenSettings.Section).Get<MartenSettings>() ?? new MartenSettings();
        var connectionString = Postgres.ConnectionString(configuration);

        services.AddSingleton(settings);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<RegisterNumbers>();

        services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = settings.Schema;
                options.AutoCreateSchemaObjects = settings.AutoCreateSchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
                options.UseSystemTextJsonForSerialization(enumStorage: Weasel.Core.EnumStorage.AsString);

                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Projections.Add<WorkItemStateProjection>(ProjectionLifecycle.Live);
                options.Projections.Add<ItemDetailsProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<ItemTimelineProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<Cases.Chaining.ChainMemberProjection>(ProjectionLifecycle.Inline);
                // Inline like the item's other read models: a report agrees with the item pages the moment a command returns.
                options.Projections.Add<Reports.ReportRowProjection>(ProjectionLifecycle.Inline);
                Reports.ReportRow.ConfigureColumns(options);
                options.Schema.For<Cases.Chaining.ChainMember>().GinIndexJsonData();
                options.Projections.Add<PartnerDirectoryProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<Quarantine.QuarantinedMailProjection>(ProjectionLifecycle.Inline);
                options.Schema.For<Quarantine.QuarantinedMail>().Duplicate(x => x.Status).Duplicate(x => x.ReceivedAt).Duplicate(x => x.Channel);
                options.Schema.For<Quarantine.HeldMailReading>();
                ItemListing.ConfigureColumns(options);
                options.Schema.For<PartnerDirectoryEntry>().UniqueIndex(x => x.Code);
                options.Schema.For<IdempotentRequest>();
                options.Schema.For<Ui.Infrastructure.OfficerPreferences>();
                options.Schema.For<Accounts.OfficerAccount>().UniqueIndex(x => x.Login).UseOptimisticConcurrency(true);
                options.Schema.For<Accounts.DecoySecret>();
                options.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("pg_trgm"));
                options.Storage.ExtendedSchemaObjects.Add(Attachments.Table(settings.Schema));
                options.Storage.ExtendedSchemaObjects.Add(Auth.KeyRing.Table(settings.Schema));
                options.Storage.ExtendedSchemaObjects.AddRange(AuditChain.Tables(settings.Schema));

                options.Storage.ExtendedSchemaObjects.Add(RegisterNumbers.CounterTable(settings.Schema));
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .AddSubscriptionWithServices<IntegrationEventPublisher>(ServiceLifetime.Singleton, o =>
            {
                o.Name = IntegrationEventPublisher.SubscriptionName;
                // Every item event: besides the messages some of them make, each page tells the screens what changed.
                o.IncludeTypes(WorkItemEvents.All);
                o.IncludeTypes(Partners.PartnerEvents.All.Concat(Quarantine.QuarantineEvents.All));
            });
        services.AddSubscriptionWatchdog();

        return services;
    }

    /// <summary>Creates or upgrades the Api's schema; run by <c>./ncp up</c> and deployments before the server starts.</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await Cases.Overseeing.OpenItemCounts.InstallAsync(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<MartenSettings>().Schema, CancellationToken.None);
        await Cases.Overseeing.SlowestPartners.InstallAsync(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<MartenSettings>().Schema, CancellationToken.None);
        await Reports.ReportMonths.InstallAsync(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<MartenSettings>().Schema,
            services.GetRequiredService<Cases.Registering.RegisterSettings>().TimeZone, CancellationToken.None);
        await Reports.ReportSent.InstallAsync(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<MartenSettings>().Schema, CancellationToken.None);
        await PartnerSeed.SeedIfEmptyAsync(store, services.GetRequiredService<TimeProvider>(), CancellationToken.None);
    }
}
