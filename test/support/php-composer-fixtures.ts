/** Real-shaped `vendor/composer/installed.json` files, as Composer 1 and Composer 2 write them. */

export const INSTALLED_V1 = JSON.stringify(
  [
    { name: 'monolog/monolog', version: '1.27.1', version_normalized: '1.27.1.0', source: { type: 'git', url: 'https://github.com/Seldaek/monolog.git', reference: '904713c5929655dc9b97288b69cfeedad610c9a1' }, type: 'library', 'installation-source': 'dist', autoload: { 'psr-4': { 'Monolog\\': 'src/Monolog' } } },
    { name: 'psr/log', version: '1.1.4', version_normalized: '1.1.4.0', type: 'library' },
    { name: 'symfony/polyfill-mbstring', version: 'v1.19.0', version_normalized: '1.19.0.0', type: 'library' },
  ],
  null,
  4,
);

export const INSTALLED_V2 = JSON.stringify(
  {
    packages: [
      { name: 'guzzlehttp/guzzle', version: '7.8.1', version_normalized: '7.8.1.0', type: 'library', 'install-path': '../guzzlehttp/guzzle' },
      { name: 'psr/http-message', version: '2.0', version_normalized: '2.0.0.0', type: 'library', 'install-path': '../psr/http-message' },
      { name: 'laravel/framework', version_normalized: '10.48.4.0', type: 'library', 'install-path': '../laravel/framework' },
      { name: 'phpunit/phpunit', version: '10.5.10', version_normalized: '10.5.10.0', type: 'library', 'install-path': '../phpunit/phpunit' },
    ],
    dev: true,
    'dev-package-names': ['phpunit/phpunit'],
  },
  null,
  4,
);

/** What Customs should list for each: name, version, purl, dev. */
export const EXPECTED_V1 = [
  ['monolog/monolog', '1.27.1', 'pkg:composer/monolog/monolog@1.27.1', false],
  ['psr/log', '1.1.4', 'pkg:composer/psr/log@1.1.4', false],
  ['symfony/polyfill-mbstring', 'v1.19.0', 'pkg:composer/symfony/polyfill-mbstring@v1.19.0', false],
];

export const EXPECTED_V2 = [
  ['guzzlehttp/guzzle', '7.8.1', 'pkg:composer/guzzlehttp/guzzle@7.8.1', false],
  ['laravel/framework', '10.48.4.0', 'pkg:composer/laravel/framework@10.48.4.0', false],
  ['phpunit/phpunit', '10.5.10', 'pkg:composer/phpunit/phpunit@10.5.10', true],
  ['psr/http-message', '2.0', 'pkg:composer/psr/http-message@2.0', false],
];
