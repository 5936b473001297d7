// Factories of the five vendor simulators (registered explicitly in make_vendor, nowhere else).
#pragma once

#include <memory>

#include "vendorsim/options.h"
#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

std::unique_ptr<VendorSim> make_glia(const GliaOptions& options, const SimContext& context);
std::unique_ptr<VendorSim> make_plugchat(const PlugChatOptions& options, const SimContext& context);
std::unique_ptr<VendorSim> make_identitycall(const IdentityCallOptions& options,
                                             const SimContext& context);
std::unique_ptr<VendorSim> make_iadvize(const IAdvizeOptions& options, const SimContext& context);
std::unique_ptr<VendorSim> make_commpeak(const CommPeakOptions& options, const SimContext& context);

/// The simulator of `vendor`, configured from `options`.
std::unique_ptr<VendorSim> make_vendor(Vendor vendor, const Options& options,
                                       const SimContext& context);

}  // namespace opsync::vendorsim
