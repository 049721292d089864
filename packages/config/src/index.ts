export {
  type Config,
  ConfigError,
  type EnvironmentName,
  environmentSchema,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  loadConfig,
  SETTING_NAMES,
} from "./config";
