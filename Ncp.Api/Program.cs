using Ncp.Api.Reports;
using Ncp.Api.Quarantine;
using Ncp.Api.Accounts;
using Ncp.Api.Auditing;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Chaining;
using Ncp.Api.Cases.Contacting;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Cases.Grouping;
using Ncp.Api.Cases.Linking;
using Ncp.Api.Cases.Listing;
using Ncp.Api.Cases.Overseeing;
using Ncp.Api.Cases.Progressing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Cases.Registering;
using Ncp.Api.DeadLetters;
using Ncp.Api.Deadlines;
using Ncp.Api.Live;
using Ncp.Api.Officers;
using Ncp.Api.Partners.Directory;
using Ncp.Api.Partners.Editing;
using Ncp.Api.Partners.Keys;
using Ncp.Api.Reports.Exports;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Health;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Api.Infrastructure.Observability;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Conventions;
using Scalar.AspNetCore;

namespace Ncp.Api;

public sealed class Program
{
    public static async Task<int> Main(string[] args)
    {
        var app = Build(args);
        if (args.FirstOrDefault() == "migrate")
        {
            await MartenSetup.MigrateAsync(app.Services);
            app.Logger.LogInformation("The Api schema is up to date");
            return 0;
        }

        if (args.FirstOrDefault() == "rebuild")
        {
            return await ProjectionRebuild.RunAsync(app.Services, [.. args.Skip(1).TakeWhile(a => !a.StartsWith('-'))], Console.Out, CancellationToken.None);
        }

        if (args.FirstOrDefault() == "redrive")
        {
            return await Redrive.RunAsync(app.Services, [.. args.Skip(1)], Console.Out, CancellationToken.None);
        }

        if (args is ["accounts", "add-admin", var login, var name, ..])
        {
            return await AccountBootstrap.RunAsync(app.Services, login, name, Console.In, Console.Out, CancellationToken.None);
        }

        if (args is ["audit", "verify", ..])
        {
            return await AuditVerify.RunAsync(app.Services, Console.Out, CancellationToken.None);
        }

        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        // Named, not taken from the entry assembly: the web UI's static assets are found by this name, also when a test
        // host or a tool builds the app.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(Program).Assembly.GetName().Name });
        builder.AddNcpObservability();

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddNcpProblemDetails();
        services.AddNcpReverseProxy(builder.Configuration);
        services.AddNcpAuth(builder.Configuration, builder.Environment);
        services.AddNcpMarten(builder.Configuration);
        services.AddNcpMessaging(builder.Configuration);
        services.AddNcpHealth(builder.Configuration);
        services.AddRegistering(builder.Configuration);
        services.AddSingleton<ItemStore>();
        services.AddSingleton(builder.Configuration.GetSection(DeadlineSettings.Section).Get<DeadlineSettings>() ?? new DeadlineSettings());
        services.AddSingleton<DeadlinePlanner>();
        services.AddChaining(builder.Configuration);
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditTrail>();
        services.AddSignInAuditing();
        services.AddSingleton(builder.Configuration.GetSection(Cases.Corresponding.CorrespondenceSettings.Section).Get<Cases.Corresponding.CorrespondenceSettings>()
            ?? new Cases.Corresponding.CorrespondenceSettings());
        var attachments = builder.Configuration.GetSection(AttachmentSettings.Section).Get<AttachmentSettings>() ?? new AttachmentSettings();
        services.AddSingleton(attachments);
        services.AddSingleton(builder.Configuration.GetSection(FilingSettings.Section).Get<FilingSettings>() ?? new FilingSettings());
        services.AddSignalR();
        services.AddSingleton<LiveUpdates>();
        services.AddSingleton<Cases.Overseeing.SlowestPartners>();
        services.AddSingleton<Reports.ReportQueries>();
        services.AddOpenApi(o => o.AddOperationTransformer<OpenApiExamples>());
        services.AddNcpUi(builder.Configuration);

        var app = builder.Build();

        // MassTransit keeps its log context in a static that the first bus of a process fills; a second host in
        // the same process (the tests run Api and Worker side by side) must not log through a disposed factory.
        MassTransit.LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        app.UseNcpReverseProxy();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNcpUi();

        app.MapNcpHealth();
        app.MapNcpMetrics();
        app.MapDevelopmentSignIn();
        app.MapLocalIssuer();
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi().AllowAnonymous();
            app.MapScalarApiReference("/api/docs").AllowAnonymous();
        }

        var items = app.MapGroup("/api/items").WithTags("Items");
        items.MapRegistering();
        items.MapListing();
        items.MapReading();
        items.MapProgressing();
        items.MapContacting();
        items.MapLinking();
        items.MapGrouping();
        items.MapAttaching(attachments);
        items.MapDeadlines();
        items.MapChaining();
        items.MapCorresponding();
        app.MapDeadlinePreview();

        var partners = app.MapGroup("/api/partners").WithTags("Partners");
        partners.MapDirectory();
        partners.MapPartnerEditing();
        partners.MapPartnerKeys();

        app.MapGroup("/api/dashboard").WithTags("Dashboard").MapOverseeing();
        app.MapGroup("/api/reports").WithTags("Reports").MapItemExport();
        app.MapGroup("/api/quarantine").WithTags("Quarantine").MapQuarantine();
        app.MapGroup("/api/dead-letters").WithTags("Dead letters").MapDeadLetters();
        app.MapGroup("/api/officers").WithTags("Officers").MapOfficers();
        app.MapGroup("/api/accounts").WithTags("Accounts").MapAccounts();
        app.MapGroup("/api/account").WithTags("Accounts").MapOwnAccount();
        app.MapGroup("/api/reports").WithTags("Reports").MapReports();
        app.MapAuditing();
        app.MapHub<OfficerHub>(OfficerHub.Path);
        return app;
    }
}
