/** A real-shaped `.deps.json` as `dotnet publish` writes it: packages, the app's own project and a reference. */
export const WEBAPP_DEPS = JSON.stringify(
  {
    runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
    compilationOptions: {},
    targets: {
      '.NETCoreApp,Version=v8.0': {
        'WebApp/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.3', 'Serilog.AspNetCore': '8.0.1', 'Shared.Domain': '1.0.0' }, runtime: { 'WebApp.dll': {} } },
        'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0', fileVersion: '13.0.3.27908' } } },
        'Serilog.AspNetCore/8.0.1': { dependencies: { Serilog: '3.1.1' }, runtime: { 'lib/net8.0/Serilog.AspNetCore.dll': {} } },
        'Serilog/3.1.1': { runtime: { 'lib/net7.0/Serilog.dll': {} } },
        'Shared.Domain/1.0.0': { runtime: { 'Shared.Domain.dll': {} } },
        'Legacy.Interop/2.0.0.0': { runtime: { 'Legacy.Interop.dll': {} } },
      },
    },
    libraries: {
      'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
      'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, sha512: 'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==', path: 'newtonsoft.json/13.0.3', hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512' },
      'Serilog.AspNetCore/8.0.1': { type: 'package', serviceable: true, sha512: 'sha512-B/X+wAfS7yWLVOTD83B+bTx1Pyl', path: 'serilog.aspnetcore/8.0.1', hashPath: 'serilog.aspnetcore.8.0.1.nupkg.sha512' },
      'Serilog/3.1.1': { type: 'package', serviceable: true, sha512: 'sha512-P6G4/4Kt9bT635bhuwdXlJ2SCqqn', path: 'serilog/3.1.1', hashPath: 'serilog.3.1.1.nupkg.sha512' },
      'Shared.Domain/1.0.0': { type: 'project', serviceable: false, sha512: '' },
      'Legacy.Interop/2.0.0.0': { type: 'reference', serviceable: false, sha512: '' },
    },
  },
  null,
  2,
);

/** name, version, purl of each NuGet package in WEBAPP_DEPS. */
export const WEBAPP_PACKAGES = [
  ['Newtonsoft.Json', '13.0.3', 'pkg:nuget/Newtonsoft.Json@13.0.3'],
  ['Serilog', '3.1.1', 'pkg:nuget/Serilog@3.1.1'],
  ['Serilog.AspNetCore', '8.0.1', 'pkg:nuget/Serilog.AspNetCore@8.0.1'],
];
