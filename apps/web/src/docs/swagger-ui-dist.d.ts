// swagger-ui-dist ships browser assets and this one Node helper, without type declarations.
declare module "swagger-ui-dist/absolute-path.js" {
  /** The directory that holds swagger-ui-dist's files. */
  export default function getAbsoluteFSPath(): string;
}
