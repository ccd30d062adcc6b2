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

const RUNTIME = '8.0.8';
const NETCORE_PACK = `runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/${RUNTIME}`;
const ASPNETCORE_PACK = `runtimepack.Microsoft.AspNetCore.App.Runtime.linux-x64/${RUNTIME}`;

/**
 * A self-contained app's `.deps.json` (`dotnet publish -r linux-x64 --self-contained`), written from
 * the documented format, as no .NET SDK runs here: dotnet/sdk's documentation/specs/
 * runtime-configuration-file.md (runtimeTarget, targets keyed `framework/rid`, libraries and their
 * types) and the `runtimepack` library type the host reads the runtime's own assets from
 * (dotnet/runtime src/native/corehost, deps_entry). The runtime packs' assets are abridged.
 */
export const SELF_CONTAINED_DEPS = JSON.stringify(
  {
    runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-x64', signature: '' },
    compilationOptions: {},
    targets: {
      '.NETCoreApp,Version=v8.0': {},
      '.NETCoreApp,Version=v8.0/linux-x64': {
        'WebApp/1.0.0': {
          dependencies: { 'Newtonsoft.Json': '13.0.3', 'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64': RUNTIME, 'runtimepack.Microsoft.AspNetCore.App.Runtime.linux-x64': RUNTIME },
          runtime: { 'WebApp.dll': {} },
        },
        [NETCORE_PACK]: {
          runtime: {
            'System.Private.CoreLib.dll': { assemblyVersion: '8.0.0.0', fileVersion: '8.0.824.36612' },
            'System.Text.Json.dll': { assemblyVersion: '8.0.0.0', fileVersion: '8.0.824.36612' },
          },
          native: { 'libcoreclr.so': { fileVersion: '0.0.0.0' }, 'libSystem.Native.so': { fileVersion: '0.0.0.0' } },
        },
        [ASPNETCORE_PACK]: { runtime: { 'Microsoft.AspNetCore.dll': { assemblyVersion: '8.0.0.0', fileVersion: '8.0.824.36908' } } },
        'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0', fileVersion: '13.0.3.27908' } } },
      },
    },
    libraries: {
      'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
      [NETCORE_PACK]: { type: 'runtimepack', serviceable: false, sha512: '' },
      [ASPNETCORE_PACK]: { type: 'runtimepack', serviceable: false, sha512: '' },
      'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, sha512: 'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==', path: 'newtonsoft.json/13.0.3', hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512' },
    },
    runtimes: { 'linux-x64': ['linux', 'unix-x64', 'unix', 'any', 'base'] },
  },
  null,
  2,
);

/** name, version, purl of each NuGet package in SELF_CONTAINED_DEPS: the runtime packs under their own ids. */
export const SELF_CONTAINED_PACKAGES = [
  ['Microsoft.AspNetCore.App.Runtime.linux-x64', RUNTIME, `pkg:nuget/Microsoft.AspNetCore.App.Runtime.linux-x64@${RUNTIME}`],
  ['Microsoft.NETCore.App.Runtime.linux-x64', RUNTIME, `pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@${RUNTIME}`],
  ['Newtonsoft.Json', '13.0.3', 'pkg:nuget/Newtonsoft.Json@13.0.3'],
];
